#!/usr/bin/env python3
"""Peer of sim2real's SAC update benchmark: the same networks and work, on the CPU, in PyTorch or JAX.

Actor 17 -> 256 -> 256 -> 2 x 6 (tanh-squashed Gaussian), twin Q critics 23 -> 256 -> 256 -> 1 with
Polyak-averaged targets, automatic entropy tuning (target -6), Adam 3e-4, gamma 0.99, tau 0.005, batch 256.
One update = critic step, actor step (through the just-updated critics), temperature step, target update.
Prints JSON with the median ms.

Implementations (--impl, peer_common.py): eager (Debian's torch 1.13 or torch 2.x; 2.x with the fused CPU
Adam; targets updated with foreach ops in both), compile (torch 2.x: torch.compile of the critic loss and of the
actor loss, fused Adam), jax (jit of the whole update).
Run: python benchmarks/peer/sac_peer.py --threads 1 --impl eager (bin/bench sac runs every peer).
"""
import math
import time

import peer_common

OBS, ACT, H, B, WARMUP = 17, 6, 256, 256, 30
LR, GAMMA, TAU = 3e-4, 0.99, 0.005


def run_torch(args):
    import torch
    import torch.nn.functional as F

    def mlp(i, o):
        return torch.nn.Sequential(torch.nn.Linear(i, H), torch.nn.ReLU(), torch.nn.Linear(H, H), torch.nn.ReLU(),
                                   torch.nn.Linear(H, o))

    class Actor(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.net = mlp(OBS, 2 * ACT)

        def forward(self, o):
            mean, raw = self.net(o).chunk(2, dim=-1)
            log_std = -5 + 0.5 * 7 * (torch.tanh(raw) + 1)
            std = log_std.exp()
            eps = torch.randn_like(mean)
            u = mean + std * eps
            a = torch.tanh(u)
            logp = (-0.5 * eps ** 2 - log_std - 0.5 * math.log(2 * math.pi)).sum(-1)
            logp = logp - (2 * (math.log(2) - u - F.softplus(-2 * u))).sum(-1)
            return a, logp

    torch.manual_seed(0)
    actor, q1, q2 = Actor(), mlp(OBS + ACT, 1), mlp(OBS + ACT, 1)
    t1, t2 = mlp(OBS + ACT, 1), mlp(OBS + ACT, 1)
    t1.load_state_dict(q1.state_dict())
    t2.load_state_dict(q2.state_dict())
    log_alpha = torch.zeros(1, requires_grad=True)
    fused = {"fused": True} if int(torch.__version__.split(".")[0]) >= 2 else {}
    opt_a = torch.optim.Adam(actor.parameters(), lr=LR, **fused)
    opt_q = torch.optim.Adam(list(q1.parameters()) + list(q2.parameters()), lr=LR, **fused)
    opt_t = torch.optim.Adam([log_alpha], lr=LR, **fused)
    o, a, r, o2 = torch.randn(B, OBS), torch.rand(B, ACT) * 2 - 1, torch.randn(B), torch.randn(B, OBS)
    d = torch.zeros(B)
    sources = list(q1.parameters()) + list(q2.parameters())
    targets = list(t1.parameters()) + list(t2.parameters())

    def critic_loss():
        with torch.no_grad():
            a2, logp2 = actor(o2)
            sa2 = torch.cat([o2, a2], -1)
            y = r + GAMMA * (1 - d) * (torch.min(t1(sa2), t2(sa2)).squeeze(-1) - log_alpha.exp() * logp2)
        sa = torch.cat([o, a], -1)
        return ((q1(sa).squeeze(-1) - y) ** 2).mean() + ((q2(sa).squeeze(-1) - y) ** 2).mean()

    def actor_loss():
        pi, logp = actor(o)
        spi = torch.cat([o, pi], -1)
        return (log_alpha.exp().detach() * logp - torch.min(q1(spi), q2(spi)).squeeze(-1)).mean(), logp.detach()

    if args.impl == "compile":
        critic_loss = torch.compile(critic_loss, dynamic=False)
        actor_loss = torch.compile(actor_loss, dynamic=False)

    def update():
        loss_q = critic_loss()
        opt_q.zero_grad(set_to_none=True)
        loss_q.backward()
        opt_q.step()
        loss_pi, logp = actor_loss()
        opt_a.zero_grad(set_to_none=True)
        loss_pi.backward()
        opt_a.step()
        loss_t = -(log_alpha * (logp - ACT)).mean()
        opt_t.zero_grad(set_to_none=True)
        loss_t.backward()
        opt_t.step()
        with torch.no_grad():
            torch._foreach_mul_(targets, 1 - TAU)
            torch._foreach_add_(targets, sources, alpha=TAU)

    t0 = time.perf_counter()
    update()
    compile_s = time.perf_counter() - t0
    ms, _ = peer_common.median_ms(update, WARMUP - 1, args.steps)
    flops = peer_common.count_flops(args, update)
    peer_common.report(args, peer_common.torch_name(args), compile_s if args.impl == "compile" else None,
                       sac_update_ms_median=ms, torch_counted_flops=flops)


def run_jax(args):
    import jax
    import jax.numpy as jnp

    def init_mlp(key, sizes):
        layers = []
        for i, o in zip(sizes[:-1], sizes[1:]):
            key, kw, kb = jax.random.split(key, 3)
            bound = 1 / i ** 0.5  # torch.nn.Linear's default
            layers.append((jax.random.uniform(kw, (i, o), minval=-bound, maxval=bound),
                           jax.random.uniform(kb, (o,), minval=-bound, maxval=bound)))
        return layers

    def mlp(layers, x):
        for k, (w, b) in enumerate(layers):
            x = x @ w + b
            if k < len(layers) - 1:
                x = jax.nn.relu(x)
        return x

    def act(actor, o, key):
        out = mlp(actor, o)
        mean, raw = out[:, :ACT], out[:, ACT:]
        log_std = -5 + 0.5 * 7 * (jnp.tanh(raw) + 1)
        eps = jax.random.normal(key, mean.shape)
        u = mean + jnp.exp(log_std) * eps
        logp = (-0.5 * eps ** 2 - log_std - 0.5 * math.log(2 * math.pi)).sum(-1)
        logp = logp - (2 * (math.log(2) - u - jax.nn.softplus(-2 * u))).sum(-1)
        return jnp.tanh(u), logp

    adam_init, adam_update = peer_common.jax_adam(LR)
    key = jax.random.PRNGKey(0)
    ka, k1, k2, kd = jax.random.split(key, 4)
    actor = init_mlp(ka, [OBS, H, H, 2 * ACT])
    critics = (init_mlp(k1, [OBS + ACT, H, H, 1]), init_mlp(k2, [OBS + ACT, H, H, 1]))
    log_alpha = jnp.zeros(())
    state = {"actor": actor, "critics": critics, "targets": critics, "log_alpha": log_alpha,
             "opt_a": adam_init(actor), "opt_q": adam_init(critics), "opt_t": adam_init(log_alpha), "key": kd}
    ko, ka2, kr, ko2 = jax.random.split(kd, 4)
    o, o2 = jax.random.normal(ko, (B, OBS)), jax.random.normal(ko2, (B, OBS))
    a = jax.random.uniform(ka2, (B, ACT), minval=-1, maxval=1)
    r, d = jax.random.normal(kr, (B,)), jnp.zeros(B)

    @jax.jit
    def update(s):
        key, kt, kp = jax.random.split(s["key"], 3)
        a2, logp2 = act(s["actor"], o2, kt)
        sa2 = jnp.concatenate([o2, a2], -1)
        q_next = jnp.minimum(mlp(s["targets"][0], sa2), mlp(s["targets"][1], sa2))[:, 0]
        y = jax.lax.stop_gradient(r + GAMMA * (1 - d) * (q_next - jnp.exp(s["log_alpha"]) * logp2))
        sa = jnp.concatenate([o, a], -1)

        def critic_loss(qs):
            return ((mlp(qs[0], sa)[:, 0] - y) ** 2).mean() + ((mlp(qs[1], sa)[:, 0] - y) ** 2).mean()

        critics, opt_q = adam_update(s["critics"], jax.grad(critic_loss)(s["critics"]), s["opt_q"])
        frozen = jax.lax.stop_gradient(critics)
        alpha = jnp.exp(s["log_alpha"])

        def actor_loss(p):
            pi, logp = act(p, o, kp)
            spi = jnp.concatenate([o, pi], -1)
            return (alpha * logp - jnp.minimum(mlp(frozen[0], spi), mlp(frozen[1], spi))[:, 0]).mean(), logp

        grads, logp = jax.grad(actor_loss, has_aux=True)(s["actor"])
        actor, opt_a = adam_update(s["actor"], grads, s["opt_a"])
        logp = jax.lax.stop_gradient(logp)
        g_alpha = jax.grad(lambda la: -(la * (logp - ACT)).mean())(s["log_alpha"])
        log_alpha, opt_t = adam_update(s["log_alpha"], g_alpha, s["opt_t"])
        targets = jax.tree_util.tree_map(lambda t, q: (1 - TAU) * t + TAU * q, s["targets"], critics)
        return {"actor": actor, "critics": critics, "targets": targets, "log_alpha": log_alpha,
                "opt_a": opt_a, "opt_q": opt_q, "opt_t": opt_t, "key": key}

    holder = [state]

    def step():
        holder[0] = update(holder[0])
        return holder[0]

    t0 = time.perf_counter()
    peer_common.jax_block(step())
    compile_s = time.perf_counter() - t0
    ms, _ = peer_common.median_ms(step, WARMUP - 1, args.steps, peer_common.jax_block)
    peer_common.report(args, peer_common.jax_name(), compile_s, sac_update_ms_median=ms)


def main():
    args = peer_common.parse(__doc__.splitlines()[0], 300)
    run_jax(args) if args.impl == "jax" else run_torch(args)


if __name__ == "__main__":
    main()
