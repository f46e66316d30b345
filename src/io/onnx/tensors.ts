/**
 * TensorProto ↔ typed arrays, and the axis permutation that turns NHWC/HWIO weights into ONNX's
 * NCHW/OIHW (and back). Floats travel as little-endian raw_data; int64 as raw_data too.
 */
import { DataType, type TensorProto } from './proto.js';

/** A decoded tensor: floats for float types, plain numbers for integer and bool types. */
export interface ArrayValue {
  dims: number[];
  /** Float32Array for FLOAT/DOUBLE, number[] for the integer and bool types. */
  data: Float32Array | number[];
  dataType: number;
}

/** Row-major strides of a shape. */
function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) strides[i] = strides[i + 1]! * shape[i + 1]!;
  return strides;
}

/**
 * Transposes row-major data: output axis i is input axis perm[i].
 * @example permuteData(hwio, [3, 3, 8, 16], [3, 2, 0, 1])   // → OIHW [16, 8, 3, 3]
 */
export function permuteData<T extends Float32Array | number[]>(data: T, shape: readonly number[], perm: readonly number[]): T {
  if (perm.length === 2 && perm[0] === 1 && !Array.isArray(data)) {
    const [rows, cols] = shape as [number, number];
    const out = new Float32Array(data.length);
    const tile = 32; // blocks that stay in cache: a 100M-value Gemm weight transposes in well under a second
    for (let r0 = 0; r0 < rows; r0 += tile)
      for (let c0 = 0; c0 < cols; c0 += tile)
        for (let r = r0; r < Math.min(r0 + tile, rows); r++)
          for (let c = c0; c < Math.min(c0 + tile, cols); c++) out[c * rows + r] = data[r * cols + c]!;
    return out as T;
  }
  const outShape = perm.map((p) => shape[p]!);
  const inStrides = stridesOf(shape);
  const walk = perm.map((p) => inStrides[p]!);
  const out = (Array.isArray(data) ? new Array<number>(data.length) : new Float32Array(data.length)) as T;
  const index = new Array<number>(perm.length).fill(0);
  for (let o = 0; o < data.length; o++) {
    let src = 0;
    for (let a = 0; a < perm.length; a++) src += index[a]! * walk[a]!;
    out[o] = data[src]!;
    for (let a = perm.length - 1; a >= 0; a--) {
      if (++index[a]! < outShape[a]!) break;
      index[a] = 0;
    }
  }
  return out;
}

/** A FLOAT TensorProto (raw little-endian bytes). */
export function floatTensor(name: string, data: ArrayLike<number>, dims: readonly number[]): TensorProto {
  const f32 = data instanceof Float32Array ? data : Float32Array.from(data);
  const raw = new Uint8Array(f32.byteLength);
  new Float32Array(raw.buffer).set(f32);
  return { name, dims: [...dims], data_type: DataType.FLOAT, raw_data: raw };
}

/** An INT64 TensorProto. */
export function int64Tensor(name: string, data: readonly number[], dims: readonly number[] = [data.length]): TensorProto {
  const raw = new Uint8Array(data.length * 8);
  const view = new DataView(raw.buffer);
  data.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true));
  return { name, dims: [...dims], data_type: DataType.INT64, raw_data: raw };
}

const littleEndian = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** Raw little-endian float32 bytes as a Float32Array: a view when aligned, else one aligned copy. */
function littleEndianFloats(raw: Uint8Array): Float32Array {
  if (littleEndian && raw.byteOffset % 4 === 0) return new Float32Array(raw.buffer, raw.byteOffset, raw.length / 4);
  const copy = new Uint8Array(raw); // a copy (Buffer.slice would share the file's memory)
  const floats = new Float32Array(copy.buffer, 0, raw.length / 4);
  if (!littleEndian) {
    const view = new DataView(copy.buffer);
    for (let i = 0; i < floats.length; i++) floats[i] = view.getFloat32(i * 4, true);
  }
  return floats;
}

const sizeOf = (dims: readonly number[]): number => dims.reduce((a, d) => a * d, 1);

/** Decodes a TensorProto; `where` names it in errors (external data and odd types are refused). */
export function decodeTensor(t: TensorProto, where: string): ArrayValue {
  const dims = (t.dims ?? []).map(Number);
  const size = sizeOf(dims);
  const type = t.data_type ?? 0;
  if (t.data_location === 1 || (t.external_data?.length ?? 0) > 0) {
    throw new Error(
      `${where}: tensor "${t.name}" keeps its data in an external file, which Convkit does not read; save the model with its weights inside`,
    );
  }
  const raw = t.raw_data && t.raw_data.length > 0 ? t.raw_data : null;
  const view = raw ? new DataView(raw.buffer, raw.byteOffset, raw.byteLength) : null;
  const expectBytes = (width: number): void => {
    if (raw && raw.length !== size * width) {
      throw new Error(
        `${where}: tensor "${t.name}" of shape [${dims.join(', ')}] needs ${size * width} bytes of raw_data, found ${raw.length}`,
      );
    }
  };
  const fromList = (list: number[] | undefined): number[] => {
    const values = (list ?? []).map(Number);
    if (values.length !== size)
      throw new Error(`${where}: tensor "${t.name}" of shape [${dims.join(', ')}] holds ${values.length} values, expected ${size}`);
    return values;
  };
  let data: Float32Array | number[];
  switch (type) {
    case DataType.FLOAT:
      expectBytes(4);
      data = raw ? littleEndianFloats(raw) : Float32Array.from(fromList(t.float_data));
      break;
    case DataType.DOUBLE:
      expectBytes(8);
      data = view
        ? Float32Array.from({ length: size }, (_, i) => view.getFloat64(i * 8, true))
        : Float32Array.from(fromList(t.double_data));
      break;
    case DataType.INT64:
      expectBytes(8);
      data = view ? Array.from({ length: size }, (_, i) => Number(view.getBigInt64(i * 8, true))) : fromList(t.int64_data);
      break;
    case DataType.INT32:
      expectBytes(4);
      data = view ? Array.from({ length: size }, (_, i) => view.getInt32(i * 4, true)) : fromList(t.int32_data);
      break;
    case DataType.INT8:
    case DataType.UINT8:
    case DataType.BOOL:
      expectBytes(1);
      data = raw ? Array.from(type === DataType.INT8 ? new Int8Array(raw.buffer, raw.byteOffset, size) : raw) : fromList(t.int32_data);
      break;
    default:
      throw new Error(
        `${where}: tensor "${t.name}" has data type ${type}; Convkit reads float, double, int64, int32, int8, uint8 and bool`,
      );
  }
  return { dims, data, dataType: type };
}

/** The values as a new Float32Array, times `scale` (null, the batch size, becomes NaN). */
export function toFloats(data: Float32Array | readonly (number | null)[], scale = 1): Float32Array {
  if (data instanceof Float32Array && scale === 1) return data.slice();
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = (data[i] ?? NaN) * scale;
  return out;
}
