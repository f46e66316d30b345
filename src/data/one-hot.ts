/**
 * One-hot encoding for preparing targets (Keras' `categoricalCrossentropy` after
 * `to_categorical`); the implementation is the op in src/ops/one-hot.ts.
 */
export { oneHot } from '../ops/one-hot.js';
