/**
 * Element types: the dtypes a tensor may hold and the typed arrays behind them. The ground floor
 * of `src/` (tensors, buffers, backends' kernel signatures) names its buffers with these.
 */

/** A tensor's element type: float32 (the default), float64 (gradient checks) or int32 (labels, indices). */
export type DType = 'float32' | 'float64' | 'int32';

/** The typed array behind a tensor of each dtype. */
export type TensorData = Float32Array | Float64Array | Int32Array;

/** A float buffer: what kernels take and return (float64 only in gradient checks, on the `ts` backend). */
export type FloatArray = Float32Array | Float64Array;
