"""torchvision's VGG16, VGG19, ResNet50 and MobileNetV2 (random weights, eval mode, no_grad):
predict time per batch, the peer of bench/applications.ts. Prints JSON.
Usage: /usr/bin/python3 torchvision_applications.py --batch B --size S --repeats R --threads T"""
import argparse
import json
import time

import torch
import torchvision

parser = argparse.ArgumentParser()
parser.add_argument("--batch", type=int, default=4)
parser.add_argument("--size", type=int, default=224)
parser.add_argument("--repeats", type=int, default=3)
parser.add_argument("--threads", type=int, default=0)
args = parser.parse_args()
if args.threads > 0:
    torch.set_num_threads(args.threads)
torch.manual_seed(0)
builders = {
    "vgg16": torchvision.models.vgg16,
    "vgg19": torchvision.models.vgg19,
    "resnet50": torchvision.models.resnet50,
    "mobilenetV2": torchvision.models.mobilenet_v2,
}
x = torch.rand(args.batch, 3, args.size, args.size)
out = {"torch": torch.__version__, "threads": torch.get_num_threads(), "models": {}}
for name, build in builders.items():
    model = build(weights=None).eval()
    with torch.no_grad():
        model(x)  # warm-up
        times = []
        for _ in range(args.repeats):
            t = time.perf_counter()
            model(x)
            times.append(time.perf_counter() - t)
    times.sort()
    out["models"][name] = {"batch_s_median": times[len(times) // 2], "params": sum(p.numel() for p in model.parameters())}
print(json.dumps(out))
