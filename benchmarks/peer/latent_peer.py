#!/usr/bin/env python3
"""PyTorch peer of sim2real's latent-model benchmark: one joint training step of the latent sim-to-real model.

The same shapes and terms as nn.latent.LatentModel (METHOD.md): residual encoders p_sim, p_real, decoders q_sim,
q_real and mapping m (17 -> 200 -> 200 -> 17 SiLU, x + g(x), last layer zero at start); latent dynamics = MBPO's
ensemble (7 members, 4 x 200 SiLU, mean and soft-bounded log-variance of 18 values); per step 256 transitions of
each domain. Loss: per domain the ensemble's Gaussian NLL of (p(o') - p(o), r) given (p(o), a), the decoded
prediction |q(z + mean_e) - o'|^2 of every member, the auto-encoding |q(p(o)) - o|^2, and the correspondence
|m(p_real(o)) - sg(p_sim(o))|^2 over both domains' observations; Adam over everything. Members are batched with
baddbmm and the decoders run on all members' predictions at once: the fastest way to write it in PyTorch.
Prints JSON with the median milliseconds per step.

Run with Debian's torch: /usr/bin/python3 benchmarks/peer/latent_peer.py --threads 1
(bin/bench latent runs it side by side with the Java benchmark.)
"""
import argparse
import json
import statistics
import time

import torch
import torch.nn.functional as F

D, A, B, E, H, LAYERS = 17, 6, 256, 7, 200, 4
DECAY = [2.5e-5, 5e-5, 7.5e-5, 7.5e-5, 1e-4]


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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--steps", type=int, default=100)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    enc = torch.nn.ModuleList([Residual(), Residual()])
    dec = torch.nn.ModuleList([Residual(), Residual()])
    m = Residual()
    ens = Ensemble()
    params = list(enc.parameters()) + list(dec.parameters()) + list(m.parameters()) + list(ens.parameters())
    opt = torch.optim.Adam(params, lr=1e-3)
    data = [(torch.randn(B, D), torch.randn(B, A), torch.randn(B, 1), torch.randn(B, D)) for _ in range(2)]
    times = []
    for step in range(args.steps + 10):
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
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
        loss.backward()
        opt.step()
        if step >= 10:
            times.append((time.perf_counter() - t0) * 1000)
    print(json.dumps({"peer": "pytorch " + torch.__version__, "threads": args.threads,
                      "latent_step_ms_median": statistics.median(times)}))


if __name__ == "__main__":
    main()
