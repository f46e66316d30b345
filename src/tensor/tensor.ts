/**
 * Tensor: an n-dimensional array of float32 (float64 for gradient checks) or int32 values.
 *
 * Tensors are immutable values from the user's point of view; memory is owned by the garbage
 * collector (no dispose). A tensor produced by a differentiable op while gradients are being
 * recorded carries a `node` linking it to the tape (see src/autograd/tape.ts).
 */
import type { TapeNode } from '../autograd/tape.js';
import type { DType, FloatArray, TensorData } from './dtype.js';
import { formatShape, sizeOf } from './shape.js';

export type { DType, TensorData } from './dtype.js';

/**
 * How host code reaches a backend's memory. For backends whose buffers are host memory, `read` is
 * the identity, `store` a copy and `write` a `set`; a backend that hands out handles (device
 * memory) installs its own (see `setHostMemory`).
 */
export interface HostMemory {
  /** A buffer's values in host memory (a copy for a device backend). */
  read(data: TensorData): TensorData;
  /** A new backend-owned buffer holding a copy of host `values` (a variable's storage). */
  store(values: TensorData): TensorData;
  /** Copies host `values` into the backend-owned buffer `target` (a variable's assign). */
  write(target: TensorData, values: TensorData): void;
}

const hostMemoryIdentity: HostMemory = {
  read: (data) => data,
  store: (values) => values.slice(),
  write: (target, values) => target.set(values),
};

let hostMemory: HostMemory = hostMemoryIdentity;

/**
 * Installs how `Tensor.values()` reads buffers and how variables store and overwrite theirs
 * (src/backends/index.ts does, when a backend is chosen); a missing part, or null, is host memory.
 *
 * @example
 * setHostMemory({ read: (h) => device.download(h), store: (v) => device.upload(v), write: (h, v) => device.write(h, v) });
 */
export function setHostMemory(memory: Partial<HostMemory> | null): void {
  hostMemory = {
    read: memory?.read ?? hostMemoryIdentity.read,
    store: memory?.store ?? hostMemoryIdentity.store,
    write: memory?.write ?? hostMemoryIdentity.write,
  };
}

/**
 * Whether the backend in use keeps its buffers in host memory (no `setHostMemory` hooks), so a
 * variable's buffer may be written in place.
 *
 * @example
 * if (isHostMemory()) reader.readInto(variable.data);
 */
export function isHostMemory(): boolean {
  return hostMemory.store === hostMemoryIdentity.store && hostMemory.write === hostMemoryIdentity.write;
}

/**
 * The host memory functions in use: variables (src/tensor/variable.ts) store and assign through them.
 *
 * @example
 * const storage = getHostMemory().store(Float32Array.of(1, 2));
 */
export function getHostMemory(): HostMemory {
  return hostMemory;
}

/** Anything a tensor can be made from. */
export type TensorLike = number | number[] | number[][] | number[][][] | number[][][][] | TensorData;

/**
 * An n-dimensional array.
 *
 * @example
 * const t = tensor([[1, 2], [3, 4]]);
 * t.shape;       // [2, 2]
 * t.toArray();   // [[1, 2], [3, 4]]
 */
export class Tensor {
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly data: TensorData;
  /** True for trainable variables and for values computed from them while recording. */
  requiresGrad = false;
  /** Set by the tape on op outputs that need a gradient. */
  node: TapeNode | null = null;

  constructor(data: TensorData, shape: readonly number[]) {
    const size = sizeOf(shape);
    if (data.length !== size) {
      throw new Error(`Tensor: data has ${data.length} values, shape ${formatShape(shape)} needs ${size}`);
    }
    this.data = data;
    this.shape = Object.freeze([...shape]);
    this.dtype = data instanceof Float32Array ? 'float32' : data instanceof Float64Array ? 'float64' : 'int32';
  }

  /** Number of elements. */
  get size(): number {
    return this.data.length;
  }

  /** Number of dimensions. */
  get rank(): number {
    return this.shape.length;
  }

  /** The data as a float buffer; throws for int32 tensors. */
  floats(where = 'tensor'): FloatArray {
    if (this.data instanceof Int32Array) {
      throw new Error(`${where}: expected a float32 or float64 tensor, received int32 of shape ${formatShape(this.shape)}`);
    }
    return this.data;
  }

  /**
   * The values in host memory: the one way code outside the backends reads a tensor (`data` may
   * be a backend's handle). A copy for a backend whose memory is not host memory; treat it as
   * read-only.
   *
   * @example
   * const [first] = ops.mean(losses).values();
   */
  values(): TensorData {
    return hostMemory.read(this.data);
  }

  /** The values as nested arrays. */
  toArray(): number | unknown[] {
    const data = this.values();
    if (this.shape.length === 0) return data[0]!;
    const build = (offset: number, dim: number): unknown[] => {
      const n = this.shape[dim]!;
      const stride = sizeOf(this.shape.slice(dim + 1));
      const out: unknown[] = [];
      for (let i = 0; i < n; i++) {
        out.push(dim === this.shape.length - 1 ? data[offset + i] : build(offset + i * stride, dim + 1));
      }
      return out;
    };
    return build(0, 0);
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.data.length !== 1) throw new Error(`item(): expected a tensor with one value, received shape ${formatShape(this.shape)}`);
    return this.values()[0]!;
  }

  toString(): string {
    return `Tensor(${this.dtype}, ${formatShape(this.shape)})`;
  }
}

function inferShape(value: unknown): number[] {
  const shape: number[] = [];
  let v = value;
  while (Array.isArray(v)) {
    shape.push(v.length);
    v = v[0];
  }
  return shape;
}

/**
 * Makes a tensor from numbers, nested arrays or a typed array.
 *
 * @example
 * const x = tensor([[0, 1], [2, 3]]);               // float32, shape [2, 2]
 * const y = tensor(new Float32Array(6), [2, 3]);    // explicit shape
 * const labels = tensor([3, 1, 4], undefined, 'int32');
 */
export function tensor(values: TensorLike, shape?: readonly number[], dtype: DType = 'float32'): Tensor {
  if (ArrayBuffer.isView(values)) {
    const data = values as TensorData;
    return new Tensor(data, shape ?? [data.length]);
  }
  const inferred = typeof values === 'number' ? [] : inferShape(values);
  const flat = typeof values === 'number' ? [values] : ((values as unknown[]).flat(Infinity as 1) as number[]);
  const finalShape = shape ?? inferred;
  const Ctor = dtype === 'float32' ? Float32Array : dtype === 'float64' ? Float64Array : Int32Array;
  return new Tensor(Ctor.from(flat), finalShape);
}

/** A tensor of zeros. @example const z = zeros([2, 3]); */
export function zeros(shape: readonly number[], dtype: DType = 'float32'): Tensor {
  const n = sizeOf(shape);
  const data = dtype === 'float32' ? new Float32Array(n) : dtype === 'float64' ? new Float64Array(n) : new Int32Array(n);
  return new Tensor(data, shape);
}

/** A tensor filled with one value. @example const o = fill([2, 2], 1); */
export function fill(shape: readonly number[], value: number, dtype: DType = 'float32'): Tensor {
  const t = zeros(shape, dtype);
  t.data.fill(value);
  return t;
}
