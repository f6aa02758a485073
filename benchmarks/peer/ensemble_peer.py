#!/usr/bin/env python3
"""Peer of sim2real's dynamics-ensemble benchmark: the same shapes and work, on the CPU, in PyTorch or JAX.

MBPO's model: 7 members, input 23 (17 obs + 6 act), 4 hidden layers of 200 SiLU, output mean and log-variance
of 18 values (17 delta-obs + reward), Gaussian NLL with learned soft log-variance bounds (+0.01 penalty),
per-layer weight decay, Adam lr 1e-3, batch 256 per member. Members are batched (baddbmm in PyTorch, batched
matmul in JAX), the fastest way to run an ensemble in either. Prints JSON with the median milliseconds per
training step and the seconds for 100,000 x 7 inference (every member on 100,000 inputs, in chunks of 4,096).

Implementations (--impl, peer_common.py): eager (Debian's torch 1.13 or torch 2.x; 2.x with the fused CPU
Adam), compile (torch 2.x: torch.compile of the loss and of the inference forward, fused Adam), jax (jit of the
whole step: gradients and Adam). Run: python benchmarks/peer/ensemble_peer.py --threads 1 --impl eager
(bin/bench ensemble runs every peer side by side with the Java benchmark).
"""
import time

import peer_common

E, IN, H, OUT, LAYERS = 7, 23, 200, 18, 4
DECAY = [2.5e-5, 5e-5, 7.5e-5, 7.5e-5, 1e-4]
BATCH, ROLLOUTS, CHUNK, WARMUP = 256, 100_000, 4096, 20


def sizes():
    return [IN] + [H] * LAYERS + [2 * OUT]


def run_torch(args):
    import torch
    import torch.nn.functional as F

    class Ensemble(torch.nn.Module):
        def __init__(self):
            super().__init__()
            s = sizes()
            self.w = torch.nn.ParameterList()
            self.b = torch.nn.ParameterList()
            for i, o in zip(s[:-1], s[1:]):
                self.w.append(torch.nn.Parameter(torch.nn.init.trunc_normal_(torch.empty(E, i, o), std=1 / (2 * i ** 0.5))))
                self.b.append(torch.nn.Parameter(torch.zeros(E, 1, o)))
            self.max_logvar = torch.nn.Parameter(torch.full((1, OUT), 0.5))
            self.min_logvar = torch.nn.Parameter(torch.full((1, OUT), -10.0))

        def forward(self, x):
            for layer, (w, b) in enumerate(zip(self.w, self.b)):
                x = torch.baddbmm(b, x, w)
                if layer < len(self.w) - 1:
                    x = F.silu(x)
            mean, logvar = x[..., :OUT], x[..., OUT:]
            logvar = self.max_logvar - F.softplus(self.max_logvar - logvar)
            logvar = self.min_logvar + F.softplus(logvar - self.min_logvar)
            return mean, logvar

        def loss(self, x, y):
            mean, logvar = self(x)
            nll = (((mean - y) ** 2) * torch.exp(-logvar) + logvar).mean(dim=(1, 2)).sum()
            decay = sum(d * (w ** 2).sum() / 2 for d, w in zip(DECAY, self.w))
            return nll + 0.01 * (self.max_logvar.sum() - self.min_logvar.sum()) + decay

    torch.manual_seed(0)
    model = Ensemble()
    v2 = int(torch.__version__.split(".")[0]) >= 2
    # torch 2.x's fused CPU Adam is its fastest; 1.13 has only the per-tensor and foreach versions on the CPU.
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, **({"fused": True} if v2 else {}))
    loss_fn, forward = model.loss, model
    if args.impl == "compile":
        loss_fn = torch.compile(model.loss, dynamic=False)
        forward = torch.compile(model.forward, dynamic=False)
    x = torch.randn(E, BATCH, IN)
    y = torch.randn(E, BATCH, OUT)

    def step():
        opt.zero_grad(set_to_none=True)
        loss_fn(x, y).backward()
        opt.step()

    t0 = time.perf_counter()
    step()
    compile_s = time.perf_counter() - t0
    train_ms, _ = peer_common.median_ms(step, WARMUP - 1, args.steps)
    rollouts = args.rollouts
    inputs = torch.randn(rollouts, IN)

    def infer(rows):
        for start in range(0, rows, CHUNK):
            forward(inputs[start:min(start + CHUNK, rows)].unsqueeze(0).expand(E, -1, -1))

    with torch.no_grad():
        t0 = time.perf_counter()
        forward(inputs[:CHUNK].unsqueeze(0).expand(E, -1, -1))  # the full chunk's shape and the last one's
        forward(inputs[:max(1, rollouts % CHUNK)].unsqueeze(0).expand(E, -1, -1))
        compile_s += time.perf_counter() - t0
        t0 = time.perf_counter()
        infer(rollouts)
        inference_s = time.perf_counter() - t0
    flops = peer_common.count_flops(args, step)
    peer_common.report(args, peer_common.torch_name(args), compile_s if args.impl == "compile" else None,
                       train_step_ms_median=train_ms, torch_counted_flops=flops, inference_100k_x7_s=inference_s * ROLLOUTS / rollouts)


def run_jax(args):
    import jax
    import jax.numpy as jnp

    s = sizes()
    key = jax.random.PRNGKey(0)
    params = {"w": [], "b": [], "max_logvar": jnp.full((1, OUT), 0.5), "min_logvar": jnp.full((1, OUT), -10.0)}
    for i, o in zip(s[:-1], s[1:]):
        key, sub = jax.random.split(key)
        params["w"].append(jax.random.truncated_normal(sub, -2, 2, (E, i, o)) / (2 * i ** 0.5))
        params["b"].append(jnp.zeros((E, 1, o)))

    def forward(p, x):
        # x: (E, n, IN) in training, (n, IN) shared by every member in inference
        for layer, (w, b) in enumerate(zip(p["w"], p["b"])):
            x = (jnp.einsum("ni,eio->eno", x, w) if x.ndim == 2 else jnp.matmul(x, w)) + b
            if layer < len(p["w"]) - 1:
                x = jax.nn.silu(x)
        mean, logvar = x[..., :OUT], x[..., OUT:]
        logvar = p["max_logvar"] - jax.nn.softplus(p["max_logvar"] - logvar)
        logvar = p["min_logvar"] + jax.nn.softplus(logvar - p["min_logvar"])
        return mean, logvar

    def loss(p, x, y):
        mean, logvar = forward(p, x)
        nll = (((mean - y) ** 2) * jnp.exp(-logvar) + logvar).mean(axis=(1, 2)).sum()
        decay = sum(d * (w ** 2).sum() / 2 for d, w in zip(DECAY, p["w"]))
        return nll + 0.01 * (p["max_logvar"].sum() - p["min_logvar"].sum()) + decay

    adam_init, adam_update = peer_common.jax_adam(1e-3)

    @jax.jit
    def train_step(p, state, x, y):
        return adam_update(p, jax.grad(loss)(p, x, y), state)

    fwd = jax.jit(forward)
    key, kx, ky, ki = jax.random.split(key, 4)
    x = jax.random.normal(kx, (E, BATCH, IN))
    y = jax.random.normal(ky, (E, BATCH, OUT))
    holder = [params, adam_init(params)]

    def step():
        holder[0], holder[1] = train_step(holder[0], holder[1], x, y)
        return holder[0]

    t0 = time.perf_counter()
    peer_common.jax_block(step())
    compile_s = time.perf_counter() - t0
    train_ms, _ = peer_common.median_ms(step, WARMUP - 1, args.steps, peer_common.jax_block)
    inputs = jax.random.normal(ki, (args.rollouts, IN))
    chunks = [inputs[start:start + CHUNK] for start in range(0, args.rollouts, CHUNK)]
    t0 = time.perf_counter()
    peer_common.jax_block([fwd(holder[0], chunks[0]), fwd(holder[0], chunks[-1])])
    compile_s += time.perf_counter() - t0
    t0 = time.perf_counter()
    peer_common.jax_block([fwd(holder[0], c) for c in chunks])
    inference_s = time.perf_counter() - t0
    peer_common.report(args, peer_common.jax_name(), compile_s, train_step_ms_median=train_ms,
                       inference_100k_x7_s=inference_s * ROLLOUTS / args.rollouts)


def main():
    args = peer_common.parse(__doc__.splitlines()[0], 200, ROLLOUTS)
    run_jax(args) if args.impl == "jax" else run_torch(args)


if __name__ == "__main__":
    main()
