#!/usr/bin/env python3
"""PyTorch peer of sim2real's dynamics-ensemble benchmark: the same shapes and work, on the CPU.

MBPO's model: 7 members, input 23 (17 obs + 6 act), 4 hidden layers of 200 SiLU, output mean and log-variance
of 18 values (17 delta-obs + reward), Gaussian NLL with learned soft log-variance bounds (+0.01 penalty),
per-layer weight decay, Adam lr 1e-3, batch 256 per member. Members are batched with baddbmm, the fastest
way to run an ensemble in PyTorch. Prints JSON with the median milliseconds per training step and the
seconds for 100,000 x 7 inference (every member on 100,000 inputs, in chunks).

Run with Debian's torch: /usr/bin/python3 benchmarks/peer/ensemble_peer.py --threads 1
(bin/bench ensemble runs it side by side with the Java benchmark.)
"""
import argparse
import json
import statistics
import time

import torch
import torch.nn.functional as F

E, IN, H, OUT, LAYERS = 7, 23, 200, 18, 4
DECAY = [2.5e-5, 5e-5, 7.5e-5, 7.5e-5, 1e-4]


class Ensemble(torch.nn.Module):
    def __init__(self):
        super().__init__()
        sizes = [IN] + [H] * LAYERS + [2 * OUT]
        self.w = torch.nn.ParameterList()
        self.b = torch.nn.ParameterList()
        for i, o in zip(sizes[:-1], sizes[1:]):
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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--rollouts", type=int, default=100_000)
    parser.add_argument("--chunk", type=int, default=4096)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = Ensemble()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.randn(E, 256, IN)
    y = torch.randn(E, 256, OUT)
    times = []
    for step in range(args.steps + 20):
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        model.loss(x, y).backward()
        opt.step()
        if step >= 20:
            times.append((time.perf_counter() - t0) * 1000)
    inputs = torch.randn(args.rollouts, IN)
    with torch.no_grad():
        model(inputs[: args.chunk].expand(E, -1, -1))
        t0 = time.perf_counter()
        for start in range(0, args.rollouts, args.chunk):
            chunk = inputs[start:start + args.chunk]
            model(chunk.unsqueeze(0).expand(E, -1, -1))
        inference = time.perf_counter() - t0
    print(json.dumps({"peer": "pytorch " + torch.__version__, "threads": args.threads,
                      "train_step_ms_median": statistics.median(times), "inference_100k_x7_s": inference}))


if __name__ == "__main__":
    main()
