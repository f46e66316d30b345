/**
 * Differentiable functions on tensors. Argument checks happen here, once; kernels trust them.
 */
export * from './elementwise.js';
export * from './linalg.js';
export * from './pool.js';
export * from './reduce.js';
export * from './shape.js';
export * from './softmax.js';
export { broadcastTo } from './backward.js';
export type { Padding } from './geometry.js';
export type { Operand } from './util.js';
