#!/usr/bin/env python3
"""PyTorch peer of sim2real's SAC update benchmark: the same networks and work, on the CPU.

Actor 17 -> 256 -> 256 -> 2 x 6 (tanh-squashed Gaussian), twin Q critics 23 -> 256 -> 256 -> 1 with
Polyak-averaged targets, automatic entropy tuning (target -6), Adam 3e-4, gamma 0.99, tau 0.005, batch 256.
One update = critic step, actor step, temperature step, target update. Prints JSON with the median ms.
"""
import argparse
import json
import math
import statistics
import time

import torch
import torch.nn.functional as F

OBS, ACT, H, B = 17, 6, 256, 256


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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--steps", type=int, default=300)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    actor, q1, q2 = Actor(), mlp(OBS + ACT, 1), mlp(OBS + ACT, 1)
    t1, t2 = mlp(OBS + ACT, 1), mlp(OBS + ACT, 1)
    t1.load_state_dict(q1.state_dict())
    t2.load_state_dict(q2.state_dict())
    log_alpha = torch.zeros(1, requires_grad=True)
    opt_a = torch.optim.Adam(actor.parameters(), lr=3e-4)
    opt_q = torch.optim.Adam(list(q1.parameters()) + list(q2.parameters()), lr=3e-4)
    opt_t = torch.optim.Adam([log_alpha], lr=3e-4)
    o, a, r, o2 = torch.randn(B, OBS), torch.rand(B, ACT) * 2 - 1, torch.randn(B), torch.randn(B, OBS)
    d = torch.zeros(B)
    times = []
    for step in range(args.steps + 30):
        t0 = time.perf_counter()
        with torch.no_grad():
            a2, logp2 = actor(o2)
            sa2 = torch.cat([o2, a2], -1)
            y = r + 0.99 * (1 - d) * (torch.min(t1(sa2), t2(sa2)).squeeze(-1) - log_alpha.exp() * logp2)
        sa = torch.cat([o, a], -1)
        loss_q = ((q1(sa).squeeze(-1) - y) ** 2).mean() + ((q2(sa).squeeze(-1) - y) ** 2).mean()
        opt_q.zero_grad(set_to_none=True)
        loss_q.backward()
        opt_q.step()
        pi, logp = actor(o)
        spi = torch.cat([o, pi], -1)
        loss_pi = (log_alpha.exp().detach() * logp - torch.min(q1(spi), q2(spi)).squeeze(-1)).mean()
        opt_a.zero_grad(set_to_none=True)
        loss_pi.backward()
        opt_a.step()
        loss_t = -(log_alpha * (logp.detach() - ACT)).mean()
        opt_t.zero_grad(set_to_none=True)
        loss_t.backward()
        opt_t.step()
        with torch.no_grad():
            for net, tgt in ((q1, t1), (q2, t2)):
                for p, tp in zip(net.parameters(), tgt.parameters()):
                    tp.mul_(0.995).add_(p, alpha=0.005)
        if step >= 30:
            times.append((time.perf_counter() - t0) * 1000)
    print(json.dumps({"peer": "pytorch " + torch.__version__, "threads": args.threads,
                      "sac_update_ms_median": statistics.median(times)}))


if __name__ == "__main__":
    main()
