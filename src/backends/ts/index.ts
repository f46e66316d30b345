/**
 * The `ts` backend: the pure-TypeScript reference implementation of every kernel. Plain loops,
 * obviously correct, able to train; the native backend is tested against it. Each family file
 * exports its record of kernels; the compiler checks that together they are complete.
 */
import { dropoutMaskFromState } from '../../tensor/random.js';
import type { Backend, Kernels } from '../kernels.js';
import { convKernels } from './conv.js';
import { convPoolKernels } from './conv-pool.js';
import { depthwiseConv2d, depthwiseConv2dBackpropFilter, depthwiseConv2dBackpropInput } from './depthwise.js';
import { depthwisePointwiseConv2d, expandDepthwisePointwiseConv2d } from './depthwise-pointwise.js';
import { elementwiseKernels } from './elementwise.js';
import { imageKernels } from './image.js';
import { layoutKernels } from './layout.js';
import { matmulKernels } from './matmul.js';
import { normalizationKernels } from './normalization.js';
import { optimKernels } from './optim.js';
import { poolKernels } from './pool.js';
import { reduceKernels } from './reduce.js';

/**
 * Every kernel of the contract in plain TypeScript.
 *
 * @example
 * import { tsKernels } from './backends/ts/index.js';
 * const c = tsKernels.matmul(new Float32Array([1, 2]), new Float32Array([3, 4]), 1, 2, 1, false, false, null, 'linear');
 * // c[0] === 11
 */
export const tsKernels: Kernels = {
  ...matmulKernels,
  ...convKernels,
  depthwiseConv2d,
  depthwisePointwiseConv2d,
  expandDepthwisePointwiseConv2d,
  depthwiseConv2dBackpropInput,
  depthwiseConv2dBackpropFilter,
  ...poolKernels,
  ...convPoolKernels,
  ...elementwiseKernels,
  ...reduceKernels,
  ...layoutKernels,
  ...normalizationKernels,
  ...optimKernels,
  ...imageKernels,
  dropoutMask: dropoutMaskFromState,
};

/** The `ts` backend record. */
export const tsBackend: Backend = { name: 'ts', kernels: tsKernels };
