#!/usr/bin/python3
"""PyTorch counterpart of bench/resnet.ts: ResNet-20 training throughput on CIFAR-shaped data.

The network is Convkit's zoo.resnet20() (He et al. 2016, section 4.2, as in the Keras example):
a 3x3 conv-BN-relu stem with 16 filters, 3 stages of 3 basic blocks (16, 32, 64 filters; the first
block of stages 2 and 3 strides 2), each block conv3x3-BN-relu-conv3x3-BN, added to the shortcut
and passed through relu; the shortcut is the identity, or a 1x1 strided projection conv where the
shape changes. 3x3 convs have no bias (BN follows them); the 1x1 projections keep theirs, as
Keras's default use_bias=True does in the zoo. Global average pooling, Linear(64, 10), softmax
cross-entropy; Adam lr 1e-3 eps 1e-7; BN momentum 0.01 (= Keras's 0.99) and eps 1e-3.

Prints ONE JSON object (progress on stderr): info, and train with steady-state samples/s and the
median step time at batch 128 on synthetic 32x32x3 data (speed does not depend on the values).
Allocator: as pytorch_bench.py, glibc's mmap and trimming are turned off unless --plain-malloc.

Usage: /usr/bin/python3 bench/peers/pytorch_resnet20.py [--threads 2] [--batch 128]
                                                        [--train-batches 20] [--plain-malloc]
"""
import argparse
import json
import os
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

MALLOC_TUNING = {"MALLOC_MMAP_MAX_": "0", "MALLOC_TRIM_THRESHOLD_": str(1 << 40)}


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def conv_bn(cin, cout, stride):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout, eps=1e-3, momentum=0.01))


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.a, self.b = conv_bn(cin, cout, stride), conv_bn(cout, cout, 1)
        self.shortcut = nn.Conv2d(cin, cout, 1, stride) if stride != 1 or cin != cout else nn.Identity()

    def forward(self, x):
        return F.relu(self.shortcut(x) + self.b(F.relu(self.a(x))))


class ResNet20(nn.Module):
    def __init__(self, classes=10):
        super().__init__()
        self.stem = conv_bn(3, 16, 1)
        blocks, cin = [], 16
        for stage, cout in enumerate([16, 32, 64]):
            for i in range(3):
                blocks.append(Block(cin, cout, 2 if stage > 0 and i == 0 else 1))
                cin = cout
        self.blocks = nn.Sequential(*blocks)
        self.fc = nn.Linear(64, classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight)

    def forward(self, x):
        x = self.blocks(F.relu(self.stem(x)))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--train-batches", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--plain-malloc", action="store_true", help="keep glibc's default mmap threshold and trimming")
    args = ap.parse_args()
    if not args.plain_malloc and any(os.environ.get(k) != v for k, v in MALLOC_TUNING.items()):
        os.execve(sys.executable, [sys.executable] + sys.argv, {**os.environ, **MALLOC_TUNING})
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = ResNet20()
    params = sum(p.numel() for p in model.parameters())
    x = torch.rand(args.batch * 4, 3, 32, 32)
    y = torch.randint(0, 10, (args.batch * 4,))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-7)
    model.train()

    def step():
        idx = torch.randint(0, x.shape[0], (args.batch,))
        xb, yb = x[idx], y[idx]
        opt.zero_grad(set_to_none=True)
        out = model(xb)
        loss = F.cross_entropy(out, yb)
        loss.backward()
        opt.step()
        return loss.item(), (out.argmax(1) == yb).sum().item()

    for _ in range(args.warmup):
        step()
    times = []
    t_all = time.perf_counter()
    for _ in range(args.train_batches):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    total = time.perf_counter() - t_all
    train = {"batches": args.train_batches, "batch_size": args.batch,
             "samples_per_s": round(args.train_batches * args.batch / total, 1),
             "batch_ms_median": round(statistics.median(times) * 1e3, 3),
             "batch_ms_min": round(min(times) * 1e3, 3)}
    log("resnet20 train %.0f samples/s, %.1f ms/step median" % (train["samples_per_s"], train["batch_ms_median"]))
    info = {"torch": torch.__version__, "threads": torch.get_num_threads(), "parameters": params,
            "malloc_env": {k: os.environ[k] for k in MALLOC_TUNING if k in os.environ}}
    print(json.dumps({"peer": "pytorch", "model": "resnet20", "info": info, "train": train}, indent=1))


if __name__ == "__main__":
    main()
