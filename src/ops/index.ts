/**
 * Differentiable functions on tensors. Argument checks happen here, once; kernels trust them.
 */
export * from './convolution.js';
export * from './depthwise-pointwise.js';
export * from './dropout.js';
export * from './elementwise.js';
export * from './image.js';
export * from './layout.js';
export * from './linalg.js';
export * from './normalization.js';
export * from './one-hot.js';
export * from './pool.js';
export * from './reduce.js';
export * from './shape.js';
export * from './softmax.js';
export type { Padding } from './geometry.js';
export type { Operand } from './util.js';
