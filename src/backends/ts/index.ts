/**
 * The `ts` backend: the pure-TypeScript reference implementation of every kernel. Plain loops,
 * obviously correct, able to train; the native backend is tested against it.
 */
import { dropoutMaskFromState } from '../../tensor/random.js';
import type { Backend, Kernels } from '../kernels.js';
import { conv2d, conv2dBackpropFilter, conv2dBackpropInput } from './conv.js';
import { conv2dMaxPool, conv2dMaxPoolBackward } from './conv-pool.js';
import { depthwiseConv2d, depthwiseConv2dBackpropFilter, depthwiseConv2dBackpropInput } from './depthwise.js';
import { binary, reluBackward, transpose, unary } from './elementwise.js';
import { concat, pad, slice } from './layout.js';
import { matmul } from './matmul.js';
import { optimKernels } from './optim.js';
import { batchNormBackward, batchNormInference, batchNormTrain } from './normalization.js';
import { avgPool2d, avgPool2dBackward, maxPool2d, maxPool2dBackward } from './pool.js';
import { argMax, logSoftmax, logSoftmaxBackward, reduce } from './reduce.js';

/**
 * Every kernel of the contract in plain TypeScript.
 *
 * @example
 * import { tsKernels } from './backends/ts/index.js';
 * const c = tsKernels.matmul(new Float32Array([1, 2]), new Float32Array([3, 4]), 1, 2, 1, false, false, null, 'linear');
 * // c[0] === 11
 */
export const tsKernels: Kernels = {
  matmul,
  conv2d,
  conv2dBackpropInput,
  conv2dBackpropFilter,
  depthwiseConv2d,
  depthwiseConv2dBackpropInput,
  depthwiseConv2dBackpropFilter,
  maxPool2d,
  conv2dMaxPool,
  conv2dMaxPoolBackward,
  maxPool2dBackward,
  avgPool2d,
  avgPool2dBackward,
  unary,
  reluBackward,
  binary,
  reduce,
  pad,
  slice,
  concat,
  argMax,
  transpose,
  logSoftmax,
  logSoftmaxBackward,
  batchNormTrain,
  batchNormBackward,
  batchNormInference,
  ...optimKernels,
  dropoutMask: dropoutMaskFromState,
};

/** The `ts` backend record. */
export const tsBackend: Backend = { name: 'ts', kernels: tsKernels };
