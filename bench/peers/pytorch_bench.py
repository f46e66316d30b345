#!/usr/bin/python3
"""PyTorch counterpart of `npm run bench`: the same figures, measured on the same machine.

Prints ONE JSON object to stdout (progress goes to stderr):
  * info: torch version, threads, which BLAS library is loaded, CPU
  * gemm: sgemm GFLOPS (median of several reps after warm-up) at 256^3 .. 2048^3 and at the seed
    model's GEMM shapes at batch 200 (im2col view of conv1/conv2 forward, dense1/dense2 forward)
  * train: the seed recipe (Conv2d(1,32,3)-relu-maxpool2-Conv2d(32,64,3)-relu-maxpool2-flatten-
    Linear(1600,128)-relu-Linear(128,10); Adam lr 1e-3 eps 1e-7; cross-entropy; batch 200) as
    steady-state samples/s, the 12,000-image validation pass, and the seconds per epoch they imply
    (48,000 training samples + validation)
  * inference: images/s on 10,000 images at batch 1000, and single-image latency (median of 200)

Data is synthetic, uniform in [0, 1) with MNIST's shape: speed does not depend on the values, so no
dataset is needed. Set-up (Debian): apt-get install -y python3-torch libopenblas0-openmp.

Allocator: glibc serves blocks above its mmap threshold (dynamic, at most 32 MiB) with fresh mmap'd
pages, so each such tensor costs page faults. In this VM that made the same training run swing from
1,000 to 7,600 samples/s depending on heap history, and batch-1000 inference 10x slower. So by
default the script re-runs itself with glibc's mmap and trimming off (MALLOC_MMAP_MAX_=0, a huge
MALLOC_TRIM_THRESHOLD_: what jemalloc/tcmalloc, advised by PyTorch's CPU tuning guide, also give);
`--plain-malloc` measures glibc's defaults instead.

info.contention records how much CPU other processes took during the run: on a shared 2-core
machine a busy neighbour can halve every 2-thread figure.

Usage: /usr/bin/python3 bench/peers/pytorch_bench.py [--threads 2] [--train-batches 60] [--quick]
                                                     [--plain-malloc]
"""
import argparse
import json
import os
import platform
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

BATCH = 200
MALLOC_TUNING = {"MALLOC_MMAP_MAX_": "0", "MALLOC_TRIM_THRESHOLD_": str(1 << 40)}
TRAIN_SAMPLES = 48_000  # Keras validation_split=0.2 of MNIST's 60,000
VAL_SAMPLES = 12_000
GEMM_SHAPES = [  # name, M, K, N: C[M,N] = A[M,K] @ B[K,N]
    ("256^3", 256, 256, 256), ("512^3", 512, 512, 512), ("1024^3", 1024, 1024, 1024), ("2048^3", 2048, 2048, 2048),
    ("conv1 fwd (im2col)", BATCH * 26 * 26, 9, 32), ("conv2 fwd (im2col)", BATCH * 11 * 11, 288, 64),
    ("dense1 fwd", BATCH, 1600, 128), ("dense2 fwd", BATCH, 128, 10),
]


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def loaded_blas():
    """Shared libraries of this process whose names say BLAS (Debian picks one via alternatives)."""
    with open("/proc/self/maps") as f:
        paths = {line.split()[-1] for line in f if "/" in line}
    return sorted(p for p in paths if "blas" in p.lower() or "lapack" in p.lower())


def cpu_model():
    with open("/proc/cpuinfo") as f:
        return next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), platform.machine())


def machine_busy_s():
    """CPU seconds all processes on this kernel have used (user+nice+system+irq+softirq+steal)."""
    with open("/proc/stat") as f:
        fields = [int(v) for v in f.readline().split()[1:9]]
    return (sum(fields[0:3]) + sum(fields[5:8])) / os.sysconf("SC_CLK_TCK")


def time_calls(fn, seconds, min_reps=3, max_reps=500, warmup=2):
    """Per-call times of `fn`: warm-up calls, then as many reps as fit in about `seconds`."""
    for _ in range(warmup):
        fn()
    t0 = time.perf_counter()
    fn()
    once = time.perf_counter() - t0
    reps = max(min_reps, min(max_reps, int(seconds / max(once, 1e-6))))
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return times


def bench_gemm(seconds):
    out = []
    for name, m, k, n in GEMM_SHAPES:
        a, b, c = torch.rand(m, k), torch.rand(k, n), torch.empty(m, n)
        times = time_calls(lambda: torch.matmul(a, b, out=c), seconds)
        flop = 2.0 * m * k * n
        out.append({"shape": name, "M": m, "K": k, "N": n, "reps": len(times),
                    "median_ms": round(statistics.median(times) * 1e3, 4),
                    "gflops_median": round(flop / statistics.median(times) / 1e9, 2),
                    "gflops_best": round(flop / min(times) / 1e9, 2)})
        log("gemm %-20s %7.1f GFLOPS (median of %d)" % (name, out[-1]["gflops_median"], len(times)))
    return out


class SeedCNN(nn.Module):
    """The seed recipe's model, NCHW; glorot-uniform kernels and zero biases as in Keras."""

    def __init__(self):
        super().__init__()
        self.conv1, self.conv2 = nn.Conv2d(1, 32, 3), nn.Conv2d(32, 64, 3)
        self.fc1, self.fc2 = nn.Linear(64 * 5 * 5, 128), nn.Linear(128, 10)
        for layer in (self.conv1, self.conv2, self.fc1, self.fc2):
            nn.init.xavier_uniform_(layer.weight)
            nn.init.zeros_(layer.bias)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = F.relu(self.fc1(torch.flatten(x, 1)))
        return self.fc2(x)


def bench_train(model, x, y, batches, warmup):
    """Steady-state training steps on random batches gathered from the pool, like a shuffled epoch."""
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-7)
    model.train()

    def step():
        idx = torch.randint(0, x.shape[0], (BATCH,))
        xb, yb = x[idx], y[idx]
        opt.zero_grad(set_to_none=True)
        out = model(xb)
        loss = F.cross_entropy(out, yb)
        loss.backward()
        opt.step()
        return loss.item(), (out.argmax(1) == yb).sum().item()  # what a fit loop reports

    for _ in range(warmup):
        step()
    times = []
    t_all = time.perf_counter()
    for _ in range(batches):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    total = time.perf_counter() - t_all
    return {"batches": batches, "warmup_batches": warmup, "batch_size": BATCH,
            "samples_per_s": round(batches * BATCH / total, 1),
            "batch_ms_median": round(statistics.median(times) * 1e3, 3),
            "batch_ms_min": round(min(times) * 1e3, 3),
            "batch_ms_p90": round(sorted(times)[len(times) * 9 // 10] * 1e3, 3)}


def evaluate(model, x, y, bs):
    """Validation pass as a fit loop runs it: eval mode, loss and accuracy over all of x."""
    model.eval()
    loss, correct = 0.0, 0
    with torch.inference_mode():
        for i in range(0, x.shape[0], bs):
            out = model(x[i:i + bs])
            loss += F.cross_entropy(out, y[i:i + bs], reduction="sum").item()
            correct += (out.argmax(1) == y[i:i + bs]).sum().item()
    return loss / x.shape[0], correct / x.shape[0]


def bench_inference(model, x, passes):
    model.eval()
    rates = []
    with torch.inference_mode():
        for rep in range(passes + 1):  # pass 0 warms up
            t0 = time.perf_counter()
            for i in range(0, 10_000, 1000):
                model(x[i:i + 1000])
            if rep > 0:
                rates.append(10_000 / (time.perf_counter() - t0))
        one = x[:1]
        lat = time_calls(lambda: model(one), 0, min_reps=200, max_reps=200, warmup=20)
    lat_ms = sorted(t * 1e3 for t in lat)
    return {"images": 10_000, "batch_size": 1000, "passes": [round(r, 1) for r in rates],
            "images_per_s_median": round(statistics.median(rates), 1),
            "images_per_s_best": round(max(rates), 1),
            "latency_ms_median": round(statistics.median(lat_ms), 4),
            "latency_ms_p10": round(lat_ms[len(lat_ms) // 10], 4),
            "latency_ms_p90": round(lat_ms[len(lat_ms) * 9 // 10], 4), "latency_calls": len(lat_ms)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--train-batches", type=int, default=None, help="timed training batches (default 60, 20 with --quick)")
    ap.add_argument("--quick", action="store_true", help="fewer reps everywhere, for a smoke run")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--plain-malloc", action="store_true", help="keep glibc's default mmap threshold and trimming")
    args = ap.parse_args()
    if not args.plain_malloc and any(os.environ.get(k) != v for k, v in MALLOC_TUNING.items()):
        os.execve(sys.executable, [sys.executable] + sys.argv, {**os.environ, **MALLOC_TUNING})
    train_batches = args.train_batches or (20 if args.quick else 60)
    gemm_seconds = 0.25 if args.quick else 1.0

    t_start, busy0, own0 = time.perf_counter(), machine_busy_s(), time.process_time()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    gemm = bench_gemm(gemm_seconds)  # first, so the BLAS library is loaded before it is looked up
    info = {"torch": torch.__version__, "python": platform.python_version(), "cpu": cpu_model(),
            "threads": torch.get_num_threads(), "interop_threads": torch.get_num_interop_threads(),
            "cpu_capability": getattr(getattr(torch.backends, "cpu", None), "get_cpu_capability", lambda: None)(),
            "blas_libraries": loaded_blas(), "mkldnn": torch.backends.mkldnn.is_available(),
            "quick": args.quick, "malloc_env": {k: os.environ[k] for k in MALLOC_TUNING if k in os.environ}}

    x = torch.rand(VAL_SAMPLES, 1, 28, 28)
    y = torch.randint(0, 10, (VAL_SAMPLES,))
    model = SeedCNN()
    train = bench_train(model, x, y, train_batches, warmup=5)
    log("train %.0f samples/s over %d batches" % (train["samples_per_s"], train_batches))
    evaluate(model, x[:BATCH], y[:BATCH], BATCH)  # warm the eval path
    t0 = time.perf_counter()
    evaluate(model, x, y, BATCH)
    val_s = time.perf_counter() - t0
    train_s = TRAIN_SAMPLES / train["samples_per_s"]
    epoch = {"train_samples": TRAIN_SAMPLES, "val_samples": VAL_SAMPLES, "train_s": round(train_s, 3),
             "val_s": round(val_s, 3), "epoch_s": round(train_s + val_s, 3)}
    log("epoch %.2f s (train %.2f + val %.2f)" % (epoch["epoch_s"], train_s, val_s))
    inference = bench_inference(model, x, passes=1 if args.quick else 3)
    log("inference %.0f img/s, latency %.3f ms" % (inference["images_per_s_median"], inference["latency_ms_median"]))

    # Other processes' CPU time during the run: near 0 on a quiet machine; with 2 cores and 2 threads,
    # anything near 1 core means the figures above are contended and should be rerun.
    wall = time.perf_counter() - t_start
    others = max(0.0, (machine_busy_s() - busy0) - (time.process_time() - own0))
    info["contention"] = {"wall_s": round(wall, 2), "other_processes_cpu_s": round(others, 2),
                          "other_processes_cores": round(others / wall, 2), "cpus": os.cpu_count()}
    log("other processes used %.2f cores on average during the run" % (others / wall))
    print(json.dumps({"peer": "pytorch", "info": info, "gemm": gemm, "train": train, "epoch": epoch,
                      "inference": inference}, indent=1))


if __name__ == "__main__":
    main()
