#!/usr/bin/env python3
"""The core's single-precision GEMM rate as numpy, PyTorch and JAX reach it: C = A B, A and B 2048 x 2048 float32.

The nn benchmarks divide each path's GEMM FLOPs by the rate measured in the same run (ND4J's in the JVM, these
for comparison) to get its arithmetic limit. Prints JSON: GFLOP/s of numpy, torch and jax where importable
(median of 7 products after 2 warm-up products) and the libraries' versions. Threads: OMP_NUM_THREADS and
OPENBLAS_NUM_THREADS are set before numpy loads, torch.set_num_threads after; JAX last, pinned and flagged as the
JAX peers are (peer_common.py), since pinning binds the whole process. On the development VM,
OPENBLAS_CORETYPE=Haswell (set machine-wide) gives every OpenBLAS here (ND4J's, numpy's, Debian's) AVX2 kernels on
an AVX-512 core, and MKL (torch 2.x) does not take its fastest path on this AMD EPYC; XLA's own kernels do.
Run: python benchmarks/peer/gemm_peer.py --threads 1 (with /usr/bin/python3 or the peer virtualenv's python).
"""
import argparse
import json
import os
import statistics
import time

N, WARMUP, RUNS = 2048, 2, 7


def rate(product):
    for _ in range(WARMUP):
        product()
    times = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        product()
        times.append(time.perf_counter() - t0)
    return 2 * N ** 3 / statistics.median(times) / 1e9


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--impl", default="eager", help="ignored: the benchmarks pass it to every peer script")
    args = p.parse_args()
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)
    import numpy as np
    out = {"threads": args.threads, "numpy": np.__version__}
    rng = np.random.default_rng(0)
    a = rng.standard_normal((N, N), dtype=np.float32)
    b = rng.standard_normal((N, N), dtype=np.float32)
    c = np.empty((N, N), dtype=np.float32)
    out["numpy_gflops"] = rate(lambda: np.matmul(a, b, out=c))
    try:
        import torch
        torch.set_num_threads(args.threads)
        ta, tb, tc = torch.from_numpy(a), torch.from_numpy(b), torch.empty(N, N)
        out["torch"] = torch.__version__.split("+")[0]
        out["torch_gflops"] = rate(lambda: torch.mm(ta, tb, out=tc))
    except ImportError:
        pass
    try:
        cores = sorted(os.sched_getaffinity(0))
        if args.threads < len(cores):
            os.sched_setaffinity(0, set(cores[:args.threads]))
            os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "")
                                       + " --xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1")
        import jax
        import jax.numpy as jnp
        ja, jb = jnp.asarray(a), jnp.asarray(b)
        product = jax.jit(jnp.matmul)
        out["jax"] = jax.__version__
        out["jax_gflops"] = rate(lambda: product(ja, jb).block_until_ready())
    except ImportError:
        pass
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
