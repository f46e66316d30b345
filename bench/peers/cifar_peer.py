"""What the PyTorch copies of the CIFAR-10 recipes share (pytorch_cifar10.py, pytorch_airbench.py):
the binary files' loader, the per-channel standardisation, the common flags, and glibc's malloc
tuning (mmap and trimming off, as pytorch_bench.py; the script re-executes itself with it)."""
import argparse
import os
import sys

import numpy as np
import torch

MEAN = np.array([0.4914, 0.4822, 0.4465], dtype=np.float32)
STD = np.array([0.247, 0.2435, 0.2616], dtype=np.float32)
MALLOC_TUNING = {"MALLOC_MMAP_MAX_": "0", "MALLOC_TRIM_THRESHOLD_": str(1 << 40)}


def load(folder, names, limit):
    """Images [n, 3, 32, 32] in [0, 1] and int64 labels from CIFAR-10 binary batch files."""
    raw = np.concatenate([np.fromfile(os.path.join(folder, n), dtype=np.uint8).reshape(-1, 3073) for n in names])
    if limit:
        raw = raw[:limit]
    labels = raw[:, 0].astype(np.int64)
    images = raw[:, 1:].reshape(-1, 3, 32, 32).astype(np.float32) / 255.0
    return torch.from_numpy(images), torch.from_numpy(labels)


def load_cifar10(folder, limit):
    """(train images, train labels), (test images, test labels)."""
    return load(folder, [f"data_batch_{i}.bin" for i in range(1, 6)], limit), load(folder, ["test_batch.bin"], limit)


def standardise(x):
    return (x - torch.from_numpy(MEAN)[None, :, None, None]) / torch.from_numpy(STD)[None, :, None, None]


def parse_args(default_epochs):
    """The recipes' common flags; re-executes the script with malloc tuned unless --plain-malloc,
    then seeds torch and sets its thread count."""
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=default_epochs)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--limit", type=int, default=0)
    p.add_argument("--data", default=os.environ.get("CONVKIT_CIFAR10_DIR", "../shared/datasets/cifar10-jpeg"))
    p.add_argument("--plain-malloc", action="store_true", help="keep glibc's default mmap threshold and trimming")
    a = p.parse_args()
    if not a.plain_malloc and any(os.environ.get(k) != v for k, v in MALLOC_TUNING.items()):
        os.execve(sys.executable, [sys.executable] + sys.argv, {**os.environ, **MALLOC_TUNING})
    torch.manual_seed(a.seed)
    torch.set_num_threads(a.threads)
    return a
