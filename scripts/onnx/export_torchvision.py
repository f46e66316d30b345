#!/usr/bin/python3
"""Exports PyTorch models to ONNX with torch.onnx.export, for Convkit's import tests and bench.

Usage: /usr/bin/python3 scripts/onnx/export_torchvision.py OUT_DIR [name[@size] ...]

Writes OUT_DIR/<name>.onnx for torchvision's resnet18, mobilenet_v2, vgg11_bn and squeezenet1_1
(random weights from a fixed seed: nothing is downloaded) and `tiny_ops`, a small net that uses
the operators those four do not (x.view(x.size(0), -1) shape arithmetic, ConvTranspose, pads,
ceil-mode average pooling, hardswish, hardsigmoid, concatenation, leaky relu, elu). Batch norm
statistics are randomised so that inference-mode batch norm is exercised, and every model is
put in eval mode. The batch axis is dynamic; spatial sizes are fixed (64x64, VGG 224x224:
its AdaptiveAvgPool2d((7, 7)) exports only when the features are a multiple of 7); `name@224`
writes OUT_DIR/name@224.onnx at 224x224 (the bench's size).
"""
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision


class TinyOps(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, stride=2, padding=1)
        self.up = nn.ConvTranspose2d(8, 4, 3, stride=2, padding=1, output_padding=1)
        self.side = nn.Conv2d(3, 4, 1)
        self.dw = nn.Conv2d(8, 16, 3, padding=1, groups=8)
        self.fc = nn.Linear(16 * 5 * 5, 10)

    def forward(self, x):
        y = F.leaky_relu(self.conv(x), 0.1)
        z = F.hardswish(self.up(y))
        z = torch.cat([z, F.hardsigmoid(self.side(x))], dim=1)
        z = F.pad(z, (1, 0, 2, 1))
        z = F.avg_pool2d(z, 3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)
        z = F.elu(self.dw(z))
        z = F.max_pool2d(z, 2, ceil_mode=True)
        return F.softmax(self.fc(z.view(z.size(0), -1)), dim=1)


def build(name):
    """The model and its input size (C, H, W)."""
    if "@" in name:
        base, size = name.split("@")
        return build(base)[0], (3, int(size), int(size))
    if name == "tiny_ops":
        return TinyOps(), (3, 16, 16)
    if name == "vgg11_bn":
        return torchvision.models.vgg11_bn(num_classes=10), (3, 224, 224)
    return getattr(torchvision.models, name)(num_classes=10), (3, 64, 64)


def randomise_batch_norm(model, generator):
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.copy_(torch.randn(m.num_features, generator=generator) * 0.1)
            m.running_var.copy_(torch.rand(m.num_features, generator=generator) + 0.5)
            m.weight.data.copy_(torch.rand(m.num_features, generator=generator) + 0.5)
            m.bias.data.copy_(torch.randn(m.num_features, generator=generator) * 0.1)


def main():
    out_dir = sys.argv[1]
    names = sys.argv[2:] or ["resnet18", "mobilenet_v2", "vgg11_bn", "squeezenet1_1", "tiny_ops"]
    os.makedirs(out_dir, exist_ok=True)
    torch.set_num_threads(1)
    for name in names:
        torch.manual_seed(1)
        model, (c, h, w) = build(name)
        with torch.no_grad():
            randomise_batch_norm(model, torch.Generator().manual_seed(2))
        model.eval()
        path = os.path.join(out_dir, f"{name}.onnx")
        temporary = path + ".tmp"
        torch.onnx.export(
            model,
            torch.zeros(1, c, h, w),
            temporary,
            opset_version=17 if torch.onnx._constants.ONNX_MAX_OPSET >= 17 else 13,
            input_names=["input"],
            output_names=["output"],
            dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}},
            do_constant_folding=True,
        )
        os.replace(temporary, path)
        print(f"{path}: {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main()
