#!/usr/bin/python3
"""PyTorch copy of `convkit train --recipe cifar10-resnet20` (src/cli/recipes.ts), for the
accuracy and the epoch time side by side with Convkit.

Model : zoo.resnet20: 3x3 conv 16 (no bias) -> BN -> relu, then 3 stages of 3 basic blocks
        (16, 32, 64 filters; stride 2 at the start of stages 2 and 3, with a 1x1 conv shortcut
        with bias), global average pooling, dense 10. Keras's initialisers: conv kernels
        He-normal (Keras 3: normal truncated at 2 sigma, stddev sqrt(2/fan_in)/0.8796), dense
        Glorot-uniform, biases zero; batch norm epsilon 1e-3 and momentum 0.99 (Keras's
        defaults; PyTorch's momentum is 1 - 0.99).
Recipe: CIFAR-10 binary files / 255; per batch of 128: a horizontal flip with probability 1/2
        and a shift of round(u * 4) pixels, u uniform in [-1, 1], on each axis with black (0)
        coming in (Keras RandomTranslation(4/32, 'constant', 'nearest')), then per-channel
        standardisation (so the border is black, as in recipes.ts and torchvision's
        pad-and-crop); label smoothing 0.1, SGD momentum 0.9 Nesterov, decoupled weight decay
        5e-4 on every parameter (w -= lr*wd*w before the step, as Keras's weight_decay), learning
        rate rising linearly from 0.01 to 0.1 over 2 epochs then cosine to 0, 30 epochs. After
        each epoch the test set is evaluated once (Keras's validation_data, inside the epoch's
        time as in Convkit's log); the final accuracy averages each image's and its mirror's outputs.
Allocator: as pytorch_bench.py, glibc's mmap and trimming are turned off unless --plain-malloc
(PyTorch's CPU tuning guide; ResNet-20 trains about 2x faster so, see README "Speed").
Prints one line per epoch (seconds: training, validation and both; train loss; test accuracy)
and a final JSON line.

Usage: /usr/bin/python3 bench/peers/pytorch_cifar10.py [--epochs 30] [--seed 1] [--threads 2]
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
    return nn.BatchNorm2d(c, eps=1e-3, momentum=0.01)


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.c1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.b1 = bn(cout)
        self.c2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.b2 = bn(cout)
        self.short = nn.Conv2d(cin, cout, 1, stride, 0, bias=True) if stride != 1 else None

    def forward(self, x):
        y = self.b2(self.c2(F.relu(self.b1(self.c1(x)))))
        return F.relu((self.short(x) if self.short is not None else x) + y)


class ResNet20(nn.Module):
    def __init__(self, classes=10):
        super().__init__()
        self.stem = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
        self.bn = bn(16)
        blocks, cin = [], 16
        for stage, cout in enumerate([16, 32, 64]):
            for b in range(3):
                blocks.append(Block(cin, cout, 2 if stage > 0 and b == 0 else 1))
                cin = cout
        self.blocks = nn.Sequential(*blocks)
        self.fc = nn.Linear(64, classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                std = math.sqrt(2.0 / (m.in_channels * m.kernel_size[0] * m.kernel_size[1])) / 0.87962566103423978
                nn.init.trunc_normal_(m.weight, std=std, a=-2 * std, b=2 * std)
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
        nn.init.xavier_uniform_(self.fc.weight)
        nn.init.zeros_(self.fc.bias)

    def forward(self, x):
        x = self.blocks(F.relu(self.bn(self.stem(x))))
        return self.fc(x.mean(dim=(2, 3)))


def augment(x, gen):
    n = x.shape[0]
    flip = torch.rand(n, generator=gen) < 0.5
    x = torch.where(flip[:, None, None, None], x.flip(3), x)
    out = torch.zeros_like(x)
    shifts = torch.round((torch.rand(n, 2, generator=gen) * 2 - 1) * 4).long()
    for i in range(n):
        dy, dx = int(shifts[i, 0]), int(shifts[i, 1])
        ys, yd = (slice(0, 32 - dy), slice(dy, 32)) if dy >= 0 else (slice(-dy, 32), slice(0, 32 + dy))
        xs, xd = (slice(0, 32 - dx), slice(dx, 32)) if dx >= 0 else (slice(-dx, 32), slice(0, 32 + dx))
        out[i, :, yd, xd] = x[i, :, ys, xs]
    return out


def main():
    a = parse_args(default_epochs=30)
    gen = torch.Generator().manual_seed(a.seed)
    (xtr, ytr), (xte, yte) = load_cifar10(a.data, a.limit)
    model = ResNet20()
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, nesterov=True)
    batch, n = 128, xtr.shape[0]
    steps_per_epoch = math.ceil(n / batch)
    total = a.epochs * steps_per_epoch
    warmup = min(2 * steps_per_epoch, total // 5)

    def lr_at(step):
        if step < warmup:
            return 0.01 + (0.1 - 0.01) * step / warmup
        return 0.1 * 0.5 * (1 + math.cos(math.pi * min(step - warmup, total - warmup) / max(1, total - warmup)))

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
                for q in model.parameters():
                    q.mul_(1 - lr * 5e-4)
            loss = F.cross_entropy(model(x), ytr[idx], label_smoothing=0.1)
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
            step += 1
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
    with torch.no_grad():
        probs = torch.cat([model(standardise(xte[i:i + 500])).softmax(1) + model(standardise(xte[i:i + 500].flip(3))).softmax(1)
                           for i in range(0, xte.shape[0], 500)])
    final = (probs.argmax(1) == yte).float().mean().item()
    print(json.dumps({"epochs": a.epochs, "train_seconds": train_s, "epoch_seconds": train_s / max(1, a.epochs),
                      "test_accuracy": final, "curve": curve}))


if __name__ == "__main__":
    main()
