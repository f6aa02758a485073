"""What every peer script shares: its arguments, thread settings, timing and JSON output.

Each peer runs one implementation (--impl):
  eager    PyTorch without compilation (Debian's 1.13 with /usr/bin/python3, or 2.x from the peer virtualenv)
  compile  PyTorch 2.x with torch.compile (inductor, default mode) over the loss (forward and the AOT-compiled
           backward); the time of the first calls, which compile, is reported as compile_s and not in the median
  jax      JAX with the whole step (gradients and Adam) under jax.jit

Threads: torch.set_num_threads(n). JAX has no such call: XLA's CPU backend is told to run single-threaded below
the machine's core count, and the process is pinned to n cores (sched_setaffinity), which bounds any pool it makes.
Both happen before jax is imported, so this module must be imported first.
"""
import argparse
import json
import os
import statistics
import time


def parse(description, steps, rollouts=None):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--impl", choices=["eager", "compile", "jax"], default="eager")
    p.add_argument("--steps", type=int, default=steps, help="timed steps (the Java benchmark's count by default)")
    if rollouts is not None:
        p.add_argument("--rollouts", type=int, default=rollouts, help="inference rows (fewer for a smoke test)")
    args = p.parse_args()
    os.environ["OMP_NUM_THREADS"] = str(args.threads)
    if args.impl == "jax":
        cores = sorted(os.sched_getaffinity(0))
        if args.threads < len(cores):
            os.sched_setaffinity(0, set(cores[:args.threads]))
            os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "")
                                       + " --xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1")
    else:
        import torch
        torch.set_num_threads(args.threads)
    return args


def torch_name(args):
    import torch
    kind = "torch.compile" if args.impl == "compile" else "eager"
    return "pytorch %s %s" % (torch.__version__.split("+")[0], kind)


def jax_name():
    import jax
    return "jax %s jit" % jax.__version__


def median_ms(step, warmup, runs, sync=lambda out: None):
    """Median wall milliseconds of step() after warmup calls; sync(out) waits for asynchronous work (JAX)."""
    t0 = time.perf_counter()
    for _ in range(warmup):
        sync(step())
    warm_s = time.perf_counter() - t0
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        sync(step())
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), warm_s


def count_flops(args, step):
    """FLOPs of one step() as torch's own counter sees its matrix products (torch 2.x, eager only), else None.

    A check of the hand count in benchmarks' Flops.java, not a timing."""
    import torch
    if args.impl != "eager" or int(torch.__version__.split(".")[0]) < 2:
        return None
    from torch.utils.flop_counter import FlopCounterMode
    with FlopCounterMode(display=False) as counter:
        step()
    return counter.get_total_flops()


def report(args, name, compile_s, **figures):
    """One JSON line, the last line the Java benchmark reads."""
    out = {"peer": name, "impl": args.impl, "threads": args.threads, "compile_s": compile_s}
    out.update(figures)
    print(json.dumps(out), flush=True)


def jax_adam(lr, b1=0.9, b2=0.999, eps=1e-8):
    """Adam as torch.optim.Adam does it (bias-corrected), over any pytree of parameters; no optax here."""
    import jax
    import jax.numpy as jnp

    def init(params):
        zeros = jax.tree_util.tree_map(jnp.zeros_like, params)
        return (zeros, zeros, jnp.zeros((), jnp.float32))

    def update(params, grads, state):
        m, v, t = state
        t = t + 1
        m = jax.tree_util.tree_map(lambda m_, g: b1 * m_ + (1 - b1) * g, m, grads)
        v = jax.tree_util.tree_map(lambda v_, g: b2 * v_ + (1 - b2) * g * g, v, grads)
        c1 = 1 - b1 ** t
        c2 = 1 - b2 ** t
        params = jax.tree_util.tree_map(lambda p, m_, v_: p - lr * (m_ / c1) / (jnp.sqrt(v_ / c2) + eps), params, m, v)
        return params, (m, v, t)

    return init, update


def jax_block(out):
    import jax
    jax.block_until_ready(out)
