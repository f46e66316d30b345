#!/usr/bin/python3
"""PyTorch copy of `convkit train --recipe cifar10-airbench` (src/cli/recipes.ts,
src/models/airbench.ts), for the accuracy and the epoch time side by side with Convkit.

Model : 2x2 conv 3->24 'valid' without bias, frozen, set to whiten 2x2 patches of the first 5,000
        standardised training images (eigenvectors of the uncentred patch covariance over
        sqrt(eigenvalue + 5e-4), and their negatives) -> relu -> three groups of [3x3 conv
        'same' (no bias) -> maxpool 2 -> BN (no scale) -> relu -> 3x3 conv -> BN -> relu] of
        64, 128, 256 filters -> maxpool 3 -> flatten -> linear 10 (no bias) -> x 1/9. Keras's
        initialisers as Convkit uses them (Glorot-uniform kernels), then airbench's dirac init
        (the first in_channels filters of each 3x3 conv are the identity); BN eps 1e-5, running
        statistics 0.6 old + 0.4 new.
Recipe: CIFAR-10 binary files / 255; per batch of 512: a horizontal flip with probability 1/2
        and a shift of round(u * 2) pixels, u uniform in [-1, 1], on each axis with the border
        reflected (Keras RandomTranslation(2/32, 'reflect', 'nearest'): ... b a | a b ...), then
        per-channel standardisation; label smoothing 0.2, SGD momentum 0.85 Nesterov, decoupled
        weight decay 0.0093 (w -= lr*wd*w before the step, as Keras's weight_decay), learning rate
        piecewise linear 0.15 -> 0.75 over 23 % of the steps -> 0.0525; lookahead every 5 steps
        on every float tensor of the state (slow += a*(fast - slow), fast = slow,
        a = 1 - 0.95^5 * (step/total)^3), the slow weights kept at the end; 22 epochs. After each
        epoch the test set is evaluated once (inside the epoch's time, as in Convkit's log). The
        final accuracy averages airbench's level-2 views: the image and its mirror (1/4 each), the
        same pair shifted one pixel up-left and down-right (1/8 each; edge pixels fill the border).
Allocator: as pytorch_bench.py, glibc's mmap and trimming are turned off unless --plain-malloc.
Prints one line per epoch (seconds: training, validation and both; train loss; test accuracy)
and a final JSON line.

Usage: /usr/bin/python3 bench/peers/pytorch_airbench.py [--epochs 22] [--seed 1] [--threads 2]
                                                        [--limit N] [--data DIR] [--plain-malloc]
"""
import json
import math
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from cifar_peer import load_cifar10, parse_args, standardise





def bn(c):
    b = nn.BatchNorm2d(c, eps=1e-5, momentum=0.4)
    b.weight.requires_grad = False
    return b


def conv3(cin, cout):
    c = nn.Conv2d(cin, cout, 3, padding=1, bias=False)
    nn.init.xavier_uniform_(c.weight)
    with torch.no_grad():
        nn.init.dirac_(c.weight[:min(cin, cout)])
    return c


class Group(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.c1, self.b1, self.c2, self.b2 = conv3(cin, cout), bn(cout), conv3(cout, cout), bn(cout)

    def forward(self, x):
        x = F.relu(self.b1(F.max_pool2d(self.c1(x), 2)))
        return F.relu(self.b2(self.c2(x)))


class Airbench(nn.Module):
    def __init__(self, widths=(64, 128, 256), classes=10):
        super().__init__()
        self.whiten = nn.Conv2d(3, 24, 2, bias=False)
        self.whiten.weight.requires_grad = False
        self.groups = nn.Sequential(Group(24, widths[0]), Group(widths[0], widths[1]), Group(widths[1], widths[2]))
        self.fc = nn.Linear(widths[2], classes, bias=False)
        nn.init.xavier_uniform_(self.fc.weight)

    def forward(self, x):
        x = F.max_pool2d(self.groups(F.relu(self.whiten(x))), 3)
        return self.fc(x.flatten(1)) / 9


def init_whitening(conv, x, eps=5e-4):
    patches = x.unfold(2, 2, 1).unfold(3, 2, 1)  # [n, c, 31, 31, 2, 2]
    flat = patches.permute(0, 2, 3, 1, 4, 5).reshape(-1, 12).double()
    cov = flat.T @ flat / flat.shape[0]
    values, vectors = torch.linalg.eigh(cov)
    filters = (vectors.T / torch.sqrt(values.clamp(min=0) + eps)[:, None]).reshape(12, 3, 2, 2).float()
    conv.weight.data[:] = torch.cat([filters, -filters])


def reflect(i, size):
    i = torch.where(i < 0, -i - 1, i)
    return torch.where(i >= size, 2 * size - 1 - i, i)


def augment(x, gen):
    n = x.shape[0]
    flip = torch.rand(n, generator=gen) < 0.5
    x = torch.where(flip[:, None, None, None], x.flip(3), x)
    shifts = torch.round((torch.rand(n, 2, generator=gen) * 2 - 1) * 2).long()
    grid = torch.arange(32)
    rows = reflect(grid[None, :] - shifts[:, :1], 32)
    cols = reflect(grid[None, :] - shifts[:, 1:], 32)
    return x[torch.arange(n)[:, None, None, None], torch.arange(3)[None, :, None, None], rows[:, None, :, None], cols[:, None, None, :]]


def predict_views(model, x):
    def pair(v):
        return model(standardise(v)).softmax(1) + model(standardise(v.flip(3))).softmax(1)
    padded = F.pad(x, (1, 1, 1, 1), mode="replicate")
    return 0.25 * pair(x) + 0.125 * (pair(padded[:, :, 0:32, 0:32]) + pair(padded[:, :, 2:34, 2:34]))


def main():
    a = parse_args(default_epochs=22)
    gen = torch.Generator().manual_seed(a.seed)
    (xtr, ytr), (xte, yte) = load_cifar10(a.data, a.limit)
    model = Airbench()
    init_whitening(model.whiten, standardise(xtr[:5000]))
    params = [q for q in model.parameters() if q.requires_grad]
    opt = torch.optim.SGD(params, lr=0.15, momentum=0.85, nesterov=True)
    batch, n = 512, xtr.shape[0]
    steps_per_epoch = math.ceil(n / batch)
    total = a.epochs * steps_per_epoch
    peak_at = max(1, round(0.23 * total))

    def lr_at(step):
        if step <= peak_at:
            return 0.75 * (0.2 + 0.8 * step / peak_at)
        return 0.75 * (1 + (0.07 - 1) * (step - peak_at) / (total - peak_at))

    state = [t for t in model.state_dict().values() if t.is_floating_point()]
    slow = [t.clone() for t in state]

    def sync(alpha):
        with torch.no_grad():
            for s, t in zip(slow, state):
                s.add_(alpha * (t - s))
                t.copy_(s)

    step, curve, train_s = 0, [], 0.0
    for epoch in range(a.epochs):
        model.train()
        t0 = time.time()
        order = torch.randperm(n, generator=gen)
        losses = []
        for s in range(steps_per_epoch):
            idx = order[s * batch:(s + 1) * batch]
            x = standardise(augment(xtr[idx], gen))
            lr = lr_at(step)
            for g in opt.param_groups:
                g["lr"] = lr
            with torch.no_grad():
                for q in params:
                    q.mul_(1 - lr * 0.0093)
            loss = F.cross_entropy(model(x), ytr[idx], label_smoothing=0.2)
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
            step += 1
            if step % 5 == 0:
                sync(1 - 0.95 ** 5 * (step / total) ** 3)
        seconds = time.time() - t0
        model.eval()
        with torch.no_grad():
            logits = torch.cat([model(standardise(xte[i:i + 500])) for i in range(0, xte.shape[0], 500)])
        acc = (logits.argmax(1) == yte).float().mean().item()
        total_s = time.time() - t0
        train_s += total_s
        curve.append(acc)
        print(f"epoch {epoch + 1}: {total_s:.1f} s ({seconds:.1f} s training, {total_s - seconds:.1f} s validation), "
              f"loss {np.mean(losses):.4f}, test accuracy {acc:.4f}", flush=True)
    sync(0)
    model.eval()
    with torch.no_grad():
        plain = torch.cat([model(standardise(xte[i:i + 500])) for i in range(0, xte.shape[0], 500)])
        views = torch.cat([predict_views(model, xte[i:i + 500]) for i in range(0, xte.shape[0], 500)])
    print(json.dumps({"epochs": a.epochs, "train_seconds": train_s, "epoch_seconds": train_s / max(1, a.epochs),
                      "test_accuracy_plain": (plain.argmax(1) == yte).float().mean().item(),
                      "test_accuracy": (views.argmax(1) == yte).float().mean().item(), "curve": curve}))


if __name__ == "__main__":
    main()
