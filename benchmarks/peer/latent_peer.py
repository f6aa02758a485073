#!/usr/bin/env python3
"""Peer of sim2real's latent-model benchmark: one joint training step of the latent sim-to-real model, in PyTorch or JAX.

The same shapes and terms as nn.latent.LatentModel (METHOD.md): residual encoders p_sim, p_real, decoders q_sim,
q_real and mapping m (17 -> 200 -> 200 -> 17 SiLU, x + g(x), last layer zero at start); latent dynamics = MBPO's
ensemble (7 members, 4 x 200 SiLU, mean and soft-bounded log-variance of 18 values); per step 256 transitions of
each domain. Loss: per domain the ensemble's Gaussian NLL of (p(o') - p(o), r) given (p(o), a), the decoded
prediction |q(z + mean_e) - o'|^2 of every member, the auto-encoding |q(p(o)) - o|^2, and the correspondence
|m(p_real(o)) - sg(p_sim(o))|^2 over both domains' observations; Adam over everything. Members are batched (baddbmm
in PyTorch, batched matmul in JAX) and the decoders run on all members' predictions at once: the fastest way to
write it in either. Prints JSON with the median milliseconds per step.

Implementations (--impl, peer_common.py): eager (Debian's torch 1.13 or torch 2.x; 2.x with the fused CPU Adam),
compile (torch 2.x: torch.compile of the whole loss, fused Adam), jax (jit of the whole step: gradients and Adam).
Run: python benchmarks/peer/latent_peer.py --threads 1 --impl eager (bin/bench latent runs every peer).
"""
import time

import peer_common

D, A, B, E, H, LAYERS = 17, 6, 256, 7, 200, 4
DECAY = [2.5e-5, 5e-5, 7.5e-5, 7.5e-5, 1e-4]
WARMUP = 10


def run_torch(args):
    import torch
    import torch.nn.functional as F

    class Residual(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.l1 = torch.nn.Linear(D, H)
            self.l2 = torch.nn.Linear(H, H)
            self.l3 = torch.nn.Linear(H, D)
            torch.nn.init.zeros_(self.l3.weight)
            torch.nn.init.zeros_(self.l3.bias)

        def forward(self, x):
            return x + self.l3(F.silu(self.l2(F.silu(self.l1(x)))))


    class Ensemble(torch.nn.Module):
        def __init__(self):
            super().__init__()
            sizes = [D + A] + [H] * LAYERS + [2 * (D + 1)]
            self.w = torch.nn.ParameterList()
            self.b = torch.nn.ParameterList()
            for i, o in zip(sizes[:-1], sizes[1:]):
                self.w.append(torch.nn.Parameter(torch.nn.init.trunc_normal_(torch.empty(E, i, o), std=1 / (2 * i ** 0.5))))
                self.b.append(torch.nn.Parameter(torch.zeros(E, 1, o)))
            self.max_logvar = torch.nn.Parameter(torch.full((1, D + 1), 0.5))
            self.min_logvar = torch.nn.Parameter(torch.full((1, D + 1), -10.0))

        def forward(self, x):
            for layer, (w, b) in enumerate(zip(self.w, self.b)):
                x = torch.baddbmm(b, x, w)
                if layer < len(self.w) - 1:
                    x = F.silu(x)
            mean, logvar = x[..., :D + 1], x[..., D + 1:]
            logvar = self.max_logvar - F.softplus(self.max_logvar - logvar)
            logvar = self.min_logvar + F.softplus(logvar - self.min_logvar)
            return mean, logvar
    torch.manual_seed(0)
    enc = torch.nn.ModuleList([Residual(), Residual()])
    dec = torch.nn.ModuleList([Residual(), Residual()])
    m = Residual()
    ens = Ensemble()
    params = list(enc.parameters()) + list(dec.parameters()) + list(m.parameters()) + list(ens.parameters())
    fused = {"fused": True} if int(torch.__version__.split(".")[0]) >= 2 else {}
    opt = torch.optim.Adam(params, lr=1e-3, **fused)
    data = [(torch.randn(B, D), torch.randn(B, A), torch.randn(B, 1), torch.randn(B, D)) for _ in range(2)]

    def joint_loss():
        both = torch.cat([data[0][0], data[1][0]])
        with torch.no_grad():
            target = enc[0](both)
        loss = ((m(enc[1](both)) - target) ** 2).mean()
        z, z2, u, y = [], [], [], []
        for d, (o, a, r, o2) in enumerate(data):
            zz = enc[d](torch.cat([o, o2]))
            z.append(zz[:B])
            u.append(torch.cat([zz[:B], a], dim=1))
            y.append(torch.cat([zz[B:] - zz[:B], r], dim=1))
        u, y = torch.cat(u), torch.cat(y)
        mean, logvar = ens(u.unsqueeze(0).expand(E, -1, -1))
        loss = loss + 2 * (((mean - y) ** 2) * torch.exp(-logvar) + logvar).mean()
        for d, (o, a, r, o2) in enumerate(data):
            pred = z[d].unsqueeze(0) + mean[:, d * B:(d + 1) * B, :D]
            loss = loss + ((dec[d](pred.reshape(E * B, D)) - o2.repeat(E, 1)) ** 2).mean()
            loss = loss + ((dec[d](z[d]) - o) ** 2).mean()
        loss = loss + 0.01 * (ens.max_logvar.sum() - ens.min_logvar.sum())
        loss = loss + sum(c * (w ** 2).sum() / 2 for c, w in zip(DECAY, ens.w))
        return loss

    if args.impl == "compile":
        joint_loss = torch.compile(joint_loss, dynamic=False)

    def step():
        opt.zero_grad(set_to_none=True)
        joint_loss().backward()
        opt.step()

    t0 = time.perf_counter()
    step()
    compile_s = time.perf_counter() - t0
    ms, _ = peer_common.median_ms(step, WARMUP - 1, args.steps)
    flops = peer_common.count_flops(args, step)
    peer_common.report(args, peer_common.torch_name(args), compile_s if args.impl == "compile" else None,
                       latent_step_ms_median=ms, torch_counted_flops=flops)


def run_jax(args):
    import jax
    import jax.numpy as jnp

    keys = iter(jax.random.split(jax.random.PRNGKey(0), 64))

    def linear(i, o, zero=False):
        bound = 1 / i ** 0.5  # torch.nn.Linear's default
        if zero:
            return jnp.zeros((i, o)), jnp.zeros((o,))
        return (jax.random.uniform(next(keys), (i, o), minval=-bound, maxval=bound),
                jax.random.uniform(next(keys), (o,), minval=-bound, maxval=bound))

    def residual():
        return [linear(D, H), linear(H, H), linear(H, D, zero=True)]

    def res(p, x):
        h = x
        for k, (w, b) in enumerate(p):
            h = h @ w + b
            if k < len(p) - 1:
                h = jax.nn.silu(h)
        return x + h

    sizes = [D + A] + [H] * LAYERS + [2 * (D + 1)]
    ens = {"w": [jax.random.truncated_normal(next(keys), -2, 2, (E, i, o)) / (2 * i ** 0.5)
                 for i, o in zip(sizes[:-1], sizes[1:])],
           "b": [jnp.zeros((E, 1, o)) for o in sizes[1:]],
           "max_logvar": jnp.full((1, D + 1), 0.5), "min_logvar": jnp.full((1, D + 1), -10.0)}
    params = {"enc": [residual(), residual()], "dec": [residual(), residual()], "m": residual(), "ens": ens}

    def dynamics(p, u):
        x = jnp.einsum("ni,eio->eno", u, p["w"][0]) + p["b"][0]
        for w, b in zip(p["w"][1:], p["b"][1:]):
            x = jnp.matmul(jax.nn.silu(x), w) + b
        mean, logvar = x[..., :D + 1], x[..., D + 1:]
        logvar = p["max_logvar"] - jax.nn.softplus(p["max_logvar"] - logvar)
        logvar = p["min_logvar"] + jax.nn.softplus(logvar - p["min_logvar"])
        return mean, logvar

    data = [tuple(jax.random.normal(next(keys), (B, n)) for n in (D, A, 1, D)) for _ in range(2)]

    def loss_fn(p):
        both = jnp.concatenate([data[0][0], data[1][0]])
        target = jax.lax.stop_gradient(res(p["enc"][0], both))
        loss = ((res(p["m"], res(p["enc"][1], both)) - target) ** 2).mean()
        z, u, y = [], [], []
        for d, (o, a, r, o2) in enumerate(data):
            zz = res(p["enc"][d], jnp.concatenate([o, o2]))
            z.append(zz[:B])
            u.append(jnp.concatenate([zz[:B], a], axis=1))
            y.append(jnp.concatenate([zz[B:] - zz[:B], r], axis=1))
        u, y = jnp.concatenate(u), jnp.concatenate(y)
        mean, logvar = dynamics(p["ens"], u)
        loss = loss + 2 * (((mean - y) ** 2) * jnp.exp(-logvar) + logvar).mean()
        for d, (o, a, r, o2) in enumerate(data):
            pred = z[d][None] + mean[:, d * B:(d + 1) * B, :D]
            loss = loss + ((res(p["dec"][d], pred.reshape(E * B, D)) - jnp.tile(o2, (E, 1))) ** 2).mean()
            loss = loss + ((res(p["dec"][d], z[d]) - o) ** 2).mean()
        loss = loss + 0.01 * (p["ens"]["max_logvar"].sum() - p["ens"]["min_logvar"].sum())
        return loss + sum(c * (w ** 2).sum() / 2 for c, w in zip(DECAY, p["ens"]["w"]))

    adam_init, adam_update = peer_common.jax_adam(1e-3)

    @jax.jit
    def train_step(p, state):
        return adam_update(p, jax.grad(loss_fn)(p), state)

    holder = [params, adam_init(params)]

    def step():
        holder[0], holder[1] = train_step(holder[0], holder[1])
        return holder[0]

    t0 = time.perf_counter()
    peer_common.jax_block(step())
    compile_s = time.perf_counter() - t0
    ms, _ = peer_common.median_ms(step, WARMUP - 1, args.steps, peer_common.jax_block)
    peer_common.report(args, peer_common.jax_name(), compile_s, latent_step_ms_median=ms)


def main():
    args = peer_common.parse(__doc__.splitlines()[0], 100)
    run_jax(args) if args.impl == "jax" else run_torch(args)


if __name__ == "__main__":
    main()
