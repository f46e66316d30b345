/**
 * Training throughput of the two CIFAR recipes' networks side by side: zoo.resnet20 at batch 128
 * (cifar10-resnet20) against variants of zoo.airbench (src/models/airbench.ts) at batch 512
 * (cifar10-airbench's net is the relu 64/128/128 one), in alternating rounds so that a loaded machine slows both alike; prints each
 * round's images/s and the median ratio. Synthetic data (speed does not depend on the values).
 * `node build/bench/recipe-cifar-speed.js [--rounds 5] [--images 2048]`
 */
import '../src/backends/native-loader.js'; // makes the native backend available (the Node entry does this)
import { airbench } from '../src/models/airbench.js';
import type { Model } from '../src/models/model.js';
import { zoo } from '../src/models/zoo.js';
import { Random } from '../src/tensor/random.js';
import { median, timeTrainingSteps } from './train-steps.js';

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
}

const rounds = Number(flag('rounds', '5'));
const images = Number(flag('images', '2048'));
const nets: { name: string; model: Model; batch: number }[] = [
  { name: 'resnet20 (batch 128)', model: zoo.resnet20({ inputShape: [32, 32, 3], classes: 10 }), batch: 128 },
  { name: 'airbench relu 64/128/128 (batch 512)', model: airbench(), batch: 512 },
  { name: 'airbench relu 64/256/256 (batch 512)', model: airbench({ widths: [64, 256, 256] }), batch: 512 },
  { name: 'airbench gelu 64/256/256 (batch 512)', model: airbench({ widths: [64, 256, 256], activation: 'gelu' }), batch: 512 },
];
const rng = new Random(1);
const rates: number[][] = nets.map(() => []);
for (let r = 0; r < rounds; r++) {
  for (const [i, net] of nets.entries()) {
    const steps = Math.max(1, Math.round(images / net.batch));
    const { seconds } = timeTrainingSteps(net.model, [32, 32, 3], net.batch, r === 0 ? 1 : 0, steps, rng);
    rates[i]!.push((steps * net.batch) / seconds);
    console.log(`round ${r + 1} ${net.name}: ${((steps * net.batch) / seconds).toFixed(0)} images/s`);
  }
}
// Each net's speed over ResNet-20's in the same round, then the median over rounds.
const overResnet = nets.slice(1).map((n, i) => [n.name, Number(median(rates[i + 1]!.map((x, r) => x / rates[0]![r]!)).toFixed(3))]);
console.log(
  JSON.stringify({
    images,
    rounds,
    imagesPerSecond: Object.fromEntries(nets.map((n, i) => [n.name, Math.round(median(rates[i]!))])),
    overResnet: Object.fromEntries(overResnet),
  }),
);
