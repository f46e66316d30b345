/**
 * Every binding of the addon reads the signature its spec gives (KERNEL_SPECS in
 * src/backends/kernels.ts): as many arguments as the spec has arguments plus outputs, each under
 * the spec's name, in the spec's order, with the reader of the spec's kind. Found by calling the
 * raw addon with a value of its spec's kind everywhere but at position i, where a Float64Array (which
 * no reader takes, and no other position holds) stands: the error must name argument i and say
 * what its kind expects. A binding that reads its arguments in another
 * order, under another name or as another type fails here, not in a user's hands.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Arg, ArgKind, KernelSpec, OutKind } from '../../src/backends/kernel-signature.js';
import { KERNEL_NAMES, KERNEL_SPECS } from '../../src/backends/kernels.js';
import { nativeIt as it, nativeMissing } from '../helpers/native-required.js';

type Binding = (...args: unknown[]) => unknown;

function rawAddon(): Record<string, Binding> {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  const path = process.env['CONVKIT_NATIVE_ADDON'] || join(dir, 'native', 'build', 'Release', 'convkit.node');
  return createRequire(import.meta.url)(path) as Record<string, Binding>;
}

/** Any field of this object reads 1: a geometry or step record that passes the readers' type checks. */
const anyRecord = new Proxy({}, { get: () => 1 });

type Kind = ArgKind | OutKind;

/** A value each kind's reader accepts (the sizes are checked only after every argument is read). */
const valid: Record<Kind, unknown> = {
  float: new Float32Array(1),
  floatOrNull: null,
  floats: [new Float32Array(1)],
  int32: new Int32Array(4),
  size: 1,
  number: 0.5,
  boolean: false,
  shape: [1],
  shapes: [[1]],
  string: 'linear', // any string reads; an activation must be 'linear' or 'relu'
  attrs: anyRecord,
};

/**
 * What each kind's reader says of the Float64Array. A FusedActivation is read by its own reader;
 * depthwiseConv2d's activation (which adds relu6) reads as a string, then checks the name.
 */
function complaint(kind: Kind, name: string, kernel: string): RegExp {
  const expected: Record<Kind, string> = {
    float: 'must be a Float32Array',
    floatOrNull: 'must be a Float32Array',
    floats: 'must be an array of Float32Arrays',
    int32: 'must be an Int32Array',
    size: 'must be a number',
    number: 'must be a number',
    boolean: 'must be a boolean',
    shape: 'must be an array of sizes',
    shapes: 'must be an array of shapes',
    // The FusedActivation readers name their two choices; the EpilogueActivation ones (relu6 too) read a string first.
    string: name === 'activation' && !EPILOGUE_ACTIVATION_KERNELS.has(kernel) ? "must be 'linear' or 'relu'" : 'must be a string',
    attrs: 'must be an object',
  };
  return new RegExp(`: ${name} ${expected[kind]}, received Float64Array$`);
}

/** Kernels whose activation may be relu6 (an EpilogueActivation). */
const EPILOGUE_ACTIVATION_KERNELS = new Set(['conv2d', 'depthwiseConv2d', 'batchNormTrain', 'batchNormBackward']);

/** The spec's full call: its arguments, then its outputs (names and kinds). */
function signature(kernel: (typeof KERNEL_NAMES)[number]): { name: string; kind: Kind }[] {
  const spec = KERNEL_SPECS[kernel] as KernelSpec;
  const args: { name: string; kind: Kind }[] = (spec.args as readonly Arg[]).map((a) => ({ name: a.name, kind: a.kind }));
  const outputs = spec.outputs;
  if (outputs === 'inPlace') return args;
  if ('one' in outputs) return [...args, { name: outputs.one, kind: outputs.kind }];
  return [...args, ...Object.entries(outputs.record).map(([name, kind]) => ({ name, kind }))];
}

describe('each binding reads its spec signature', () => {
  const addon = nativeMissing === null ? rawAddon() : {};
  for (const kernel of KERNEL_NAMES) {
    it(kernel, () => {
      const call = addon[kernel]!;
      const params = signature(kernel);
      assert.throws(() => call(), new RegExp(`^Error: ${kernel}: expected ${params.length} arguments, received 0$`));
      params.forEach((param, i) => {
        const values = params.map((p, j) => (j === i ? new Float64Array(1) : valid[p.kind]));
        assert.throws(
          () => call(...values),
          complaint(param.kind, param.name, kernel),
          `${kernel} argument ${i} (${param.name}: ${param.kind})`,
        );
      });
    });
  }
});
