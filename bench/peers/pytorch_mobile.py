"""PyTorch side of Convkit's latency, memory and MobileNetV2 benchmarks (bench/latency.ts,
bench/memory.ts, bench/mobilenet.ts), one scenario per process so the peak RSS is that
scenario's:

  latency          the seed CNN (pytorch_bench.SeedCNN) in eval mode under inference_mode, batch 1
                   and 8: median and p10/p90 over --calls calls after 50 warm-up calls
  predict-memory   MobileNetV2 (a copy of zoo.mobilenetV2, below) on --n CIFAR-shaped images at
                   --batch: peak RSS (getrusage) and seconds
  train-memory     --steps training steps (forward, cross-entropy, backward, Adam) of --model
                   (resnet20 or mobilenetV2) at --batch: peak RSS
  mobilenet-speed  MobileNetV2 at batch --batch: training samples/s (median step) and inference
                   images/s

Prints one JSON object. Data is synthetic (uniform in [0, 1)): speed and memory do not depend on
the values. Allocator: as pytorch_bench.py, glibc's mmap and trimming are turned off unless
--plain-malloc (see there). Set-up (Debian): apt-get install -y python3-torch.

Usage: /usr/bin/python3 bench/peers/pytorch_mobile.py latency [--threads 2] [--calls 1000]
       /usr/bin/python3 bench/peers/pytorch_mobile.py predict-memory --n 1000 --batch 100
"""
import argparse
import json
import os
import resource
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pytorch_bench import MALLOC_TUNING, SeedCNN  # noqa: E402
from pytorch_resnet20 import ResNet20  # noqa: E402


def conv_bn(cin, cout, k=1, stride=1, groups=1, relu6=True):
    layers = [nn.Conv2d(cin, cout, k, stride, k // 2, groups=groups, bias=False), nn.BatchNorm2d(cout, eps=1e-3)]
    return nn.Sequential(*layers, nn.ReLU6(inplace=True)) if relu6 else nn.Sequential(*layers)


class InvertedResidual(nn.Module):
    """zoo.mobilenetV2's block: expand 1×1 → depthwise 3×3 → project 1×1, residual when shapes match."""

    def __init__(self, cin, expansion, cout, stride):
        super().__init__()
        mid = cin * expansion
        expand = [conv_bn(cin, mid)] if expansion != 1 else []
        self.body = nn.Sequential(*expand, conv_bn(mid, mid, 3, stride, groups=mid), conv_bn(mid, cout, relu6=False))
        self.residual = stride == 1 and cin == cout

    def forward(self, x):
        return x + self.body(x) if self.residual else self.body(x)


class MobileNetV2(nn.Module):
    """A copy of Convkit's zoo.mobilenetV2 for 32×32 images (blocks of 16, 24, 32, 64 filters)."""

    def __init__(self, classes=10):
        super().__init__()
        blocks, cin = [conv_bn(3, 32, 3), InvertedResidual(32, 1, 16, 1)], 16
        for cout, repeats, stride in [(24, 2, 1), (32, 3, 2), (64, 3, 2)]:
            for i in range(repeats):
                blocks.append(InvertedResidual(cin, 6, cout, stride if i == 0 else 1))
                cin = cout
        self.features = nn.Sequential(*blocks, conv_bn(cin, 256))
        self.fc = nn.Linear(256, classes)

    def forward(self, x):
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(self.features(x), 1), 1))


def peak_rss_mb():
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def latency(calls):
    model = SeedCNN().eval()
    out = {}
    with torch.inference_mode():
        for batch in (1, 8):
            x = torch.rand(batch, 1, 28, 28)
            for _ in range(50):
                model(x)
            times = []
            for _ in range(calls):
                t0 = time.perf_counter()
                model(x)
                times.append((time.perf_counter() - t0) * 1e3)
            times.sort()
            out[f"batch{batch}"] = {"median_ms": round(statistics.median(times), 4), "p10_ms": round(times[len(times) // 10], 4),
                                    "p90_ms": round(times[len(times) * 9 // 10], 4), "calls": calls}
    return out


def predict_memory(n, batch):
    model = MobileNetV2().eval()
    x = torch.rand(n, 3, 32, 32)
    base = peak_rss_mb()
    t0 = time.perf_counter()
    with torch.inference_mode():
        outs = [F.softmax(model(x[i:i + batch]), 1) for i in range(0, n, batch)]
        torch.cat(outs)
    return {"n": n, "batch": batch, "peak_rss_mb": peak_rss_mb(), "base_rss_mb": base, "seconds": round(time.perf_counter() - t0, 2)}


def train_steps(model, batch, steps):
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x, y = torch.rand(batch, 3, 32, 32), torch.randint(0, 10, (batch,))
    model.train()
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        F.cross_entropy(model(x), y).backward()
        opt.step()
        times.append(time.perf_counter() - t0)
    return times


def train_memory(name, batch, steps):
    model = ResNet20() if name == "resnet20" else MobileNetV2()
    base = peak_rss_mb()
    train_steps(model, batch, steps)
    return {"model": name, "batch": batch, "steps": steps, "peak_rss_mb": peak_rss_mb(), "base_rss_mb": base}


def mobilenet_speed(batch, steps):
    model = MobileNetV2()
    times = train_steps(model, batch, steps + 2)[2:]
    step = statistics.median(times)
    model.eval()
    x = torch.rand(batch, 3, 32, 32)
    with torch.inference_mode():
        model(x)
        inf = []
        for _ in range(steps):
            t0 = time.perf_counter()
            model(x)
            inf.append(time.perf_counter() - t0)
    # The allocator tuning main() re-executes with (without it torch here is several times slower).
    return {"batch": batch, "train_samples_per_s": round(batch / step, 1), "train_step_ms_median": round(step * 1e3, 2),
            "inference_images_per_s": round(batch / statistics.median(inf), 1),
            "malloc_env": {k: os.environ[k] for k in MALLOC_TUNING if k in os.environ}}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("mode", choices=["latency", "predict-memory", "train-memory", "mobilenet-speed"])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--calls", type=int, default=1000)
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--batch", type=int, default=None)
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--model", default="resnet20", choices=["resnet20", "mobilenetV2"])
    ap.add_argument("--plain-malloc", action="store_true")
    args = ap.parse_args()
    if not args.plain_malloc and any(os.environ.get(k) != v for k, v in MALLOC_TUNING.items()):
        os.execve(sys.executable, [sys.executable] + sys.argv, {**os.environ, **MALLOC_TUNING})
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    if args.mode == "latency":
        result = latency(args.calls)
    elif args.mode == "predict-memory":
        result = predict_memory(args.n, args.batch or 100)
    elif args.mode == "train-memory":
        result = train_memory(args.model, args.batch or 128, args.steps)
    else:
        result = mobilenet_speed(args.batch or 128, args.steps)
    result["torch"] = torch.__version__
    result["threads"] = torch.get_num_threads()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
