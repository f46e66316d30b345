/**
 * HDF5 through h5wasm (libhdf5 compiled to WebAssembly), sandboxed: each file lives alone in the
 * module's in-memory file system, so links or external storage that point elsewhere find nothing.
 * Opening a file walks it once and refuses soft and external links, virtual datasets, non-numeric
 * or oversized datasets (a "shape bomb": declared bytes far beyond the file) before anything is
 * read. Writing builds the file in memory and hands back its bytes.
 */
import h5wasm from 'h5wasm';
import { FileFormatError } from './errors.js';
import { limits } from './limits.js';
import { halfToFloat } from './float16.js';

type H5Module = Awaited<typeof h5wasm.ready>;
type H5Group = InstanceType<typeof h5wasm.Group>;
type H5Dataset = InstanceType<typeof h5wasm.Dataset>;
/** The MEMFS file node: its bytes are `contents.subarray(0, usedBytes)`. */
interface MemNode {
  contents: Uint8Array | null;
  usedBytes: number;
  node_ops: { setattr(node: MemNode, attr: { size?: number }): void };
}
interface H5Fs {
  writeFile(path: string, data: Uint8Array, opts?: { canOwn?: boolean }): void;
  lookupPath(path: string): { node: MemNode };
  readFile(path: string): Uint8Array;
  unlink(path: string): void;
  mkdir(path: string): void;
}

let ready: Promise<{ module: H5Module; fs: H5Fs }> | null = null;
/** The low-level functions readInto uses (set once the module is ready). */
let moduleRef: {
  _malloc(bytes: number): number;
  _free(ptr: number): void;
  get_dataset_data(file: bigint, path: string, count: null, offset: null, strides: null, ptr: bigint): number;
  HEAPU8: Uint8Array;
} | null = null;
let counter = 0;

async function h5(): Promise<{ module: H5Module; fs: H5Fs }> {
  ready ??= h5wasm.ready.then((module) => {
    const fs = (module as unknown as { FS: H5Fs }).FS;
    moduleRef = module as unknown as NonNullable<typeof moduleRef>;
    fs.mkdir('/convkit');
    // libhdf5's failures become exceptions (which the reader turns into FileFormatErrors)
    // instead of diagnostics printed to stderr.
    (module as unknown as { activate_throwing_error_handler(): number }).activate_throwing_error_handler();
    return { module, fs };
  });
  return ready;
}

/** A numeric array read from a file. */
export interface H5Array {
  shape: number[];
  /** float32 for every float dtype (float16 and float64 converted); integers as numbers. */
  data: Float32Array | Float64Array | Int32Array;
  dtype: 'float16' | 'float32' | 'float64' | 'int' | 'uint';
}

/** The innermost reason in a libhdf5 error stack ("H5FD_open(): unable to open file"), on one line. */
function libMessage(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  const frames = [...text.matchAll(/#\d+: .* in (\S+\(\)): (.*)$/gm)];
  const last = frames.at(-1);
  return (last ? `${last[1]}: ${last[2]}` : text).replace(/\s+/g, ' ').slice(0, 240);
}

const H5T_INTEGER = 0;
const H5T_FLOAT = 1;

/** A read-only HDF5 file, checked on open. `where` names the file in every error. */
export class H5Reader {
  /** Values stored in the file's numeric datasets (a bound on the weights a model built from it may have). */
  storedElements = 0;

  private constructor(
    private readonly file: InstanceType<typeof h5wasm.File>,
    private readonly fsPath: string,
    private readonly fs: H5Fs,
    readonly where: string,
  ) {}

  /** Opens `bytes` (the whole file) and checks every object in it. */
  static async open(bytes: Uint8Array, where: string): Promise<H5Reader> {
    const { module, fs } = await h5();
    if (bytes.length < 8 || bytes[0] !== 0x89 || bytes[1] !== 0x48 || bytes[2] !== 0x44 || bytes[3] !== 0x46) {
      throw new FileFormatError(
        where,
        0,
        'an HDF5 file (signature \\x89HDF)',
        `bytes ${Array.from(bytes.slice(0, 4), (b) => b.toString(16)).join(' ')}`,
      );
    }
    const fsPath = `/convkit/r${counter++}.h5`;
    fs.writeFile(fsPath, bytes, { canOwn: true }); // the file system keeps a view of `bytes`, not a copy
    let file: InstanceType<typeof h5wasm.File>;
    try {
      file = new h5wasm.File(fsPath, 'r');
    } catch (e) {
      fs.unlink(fsPath);
      throw new FileFormatError(where, null, 'a readable HDF5 file', `libhdf5 refused it (${libMessage(e)})`);
    }
    const reader = new H5Reader(file, fsPath, fs, where);
    try {
      reader.check(module, bytes.length);
    } catch (e) {
      reader.close();
      if (e instanceof FileFormatError) throw e;
      throw new FileFormatError(where, null, 'a readable HDF5 file', `libhdf5 failed while checking it (${libMessage(e)})`);
    }
    return reader;
  }

  /** Refuses links, virtual datasets, unsupported dtypes and sizes the file cannot hold. */
  private check(module: H5Module, fileBytes: number): void {
    const m = module as unknown as {
      get_symbolic_link(id: bigint, path: string): string | null;
      H5G_UDLINK: number;
      H5G_LINK: number;
      H5G_GROUP: number;
      H5G_DATASET: number;
    };
    let objects = 0;
    let declared = 0;
    const visit = (group: H5Group): void => {
      for (const name of group.keys()) {
        if (++objects > limits.maxH5Objects)
          throw new FileFormatError(this.where, null, `at most ${limits.maxH5Objects} HDF5 objects`, 'more');
        const path = group.path === '/' ? `/${name}` : `${group.path}/${name}`;
        const type = group.get_type(path);
        if (type === m.H5G_UDLINK) throw new FileFormatError(this.where, null, 'no external links', `an external link at ${path}`);
        if (type === m.H5G_LINK || m.get_symbolic_link(this.file.file_id, path))
          throw new FileFormatError(this.where, null, 'no soft links', `a soft link at ${path}`);
        if (type === m.H5G_GROUP) visit(new h5wasm.Group(this.file.file_id, path));
        else if (type === m.H5G_DATASET) declared += this.checkDataset(new h5wasm.Dataset(this.file.file_id, path), path, fileBytes);
        else throw new FileFormatError(this.where, null, 'only groups and datasets', `an object of HDF5 type ${type} at ${path}`);
      }
    };
    visit(this.file);
    if (declared > limits.maxExpansion * fileBytes + limits.smallFileBytes) {
      throw new FileFormatError(this.where, null, `datasets that fit in the ${fileBytes}-byte file`, `${declared} declared bytes`);
    }
  }

  private checkDataset(ds: H5Dataset, path: string, fileBytes: number): number {
    const meta = ds.metadata;
    if (meta.virtual_sources && meta.virtual_sources.length > 0)
      throw new FileFormatError(this.where, null, 'no virtual datasets', `a virtual dataset at ${path}`);
    if (meta.type !== H5T_FLOAT && meta.type !== H5T_INTEGER) return 0; // strings etc.: never read as weights
    const shape = meta.shape ?? [];
    if (shape.some((d) => !Number.isSafeInteger(d) || d < 0))
      throw new FileFormatError(this.where, null, 'non-negative dimensions', `shape [${shape.join(', ')}] at ${path}`);
    const elements = shape.reduce((a, b) => a * b, 1);
    this.storedElements += elements;
    const bytes = elements * meta.size;
    const compressed = (meta.chunks ?? null) !== null && ds.filters.length > 0;
    const allowed = (compressed ? limits.maxExpansion * fileBytes : fileBytes) + limits.smallFileBytes;
    if (bytes > allowed || bytes > limits.maxArrayBytes) {
      throw new FileFormatError(
        this.where,
        null,
        `a dataset no larger than the file allows (${allowed} bytes)`,
        `shape [${shape.join(', ')}] (${bytes} bytes) at ${path}`,
      );
    }
    return bytes;
  }

  /** True if a group or dataset exists at `path`. */
  has(path: string): boolean {
    try {
      return this.file.get(path) !== null;
    } catch {
      return false;
    }
  }

  /** Member names of the group at `path` (in the file's order). */
  keys(path: string): string[] {
    const g = this.file.get(path);
    if (!(g instanceof h5wasm.Group)) throw new FileFormatError(this.where, null, `a group at ${path}`, g ? 'a dataset' : 'nothing');
    return g.keys();
  }

  /** An attribute as a string or list of strings (bytes decoded as UTF-8), or null if absent. */
  attr(path: string, name: string): string | string[] | number | null {
    const obj = this.file.get(path) as H5Group | null;
    if (!obj || !(name in obj.attrs)) return null;
    const value = obj.attrs[name]!.json_value;
    const text = (v: unknown): string => (v instanceof Uint8Array ? new TextDecoder().decode(v) : String(v));
    if (Array.isArray(value)) return value.map(text);
    if (typeof value === 'number') return value;
    return text(value);
  }

  /** Reads the numeric dataset at `path`. */
  read(path: string): H5Array {
    const ds = this.file.get(path);
    if (!(ds instanceof h5wasm.Dataset)) throw new FileFormatError(this.where, null, `a dataset at ${path}`, ds ? 'a group' : 'nothing');
    const meta = ds.metadata;
    const shape = meta.shape ?? [];
    let raw: unknown;
    try {
      raw = ds.value;
    } catch (e) {
      throw new FileFormatError(
        this.where,
        null,
        `readable data at ${path}`,
        `libhdf5 failed (${libMessage(e)}); external storage is not allowed`,
      );
    }
    const size = shape.reduce((a, b) => a * b, 1);
    if (typeof raw === 'number' || typeof raw === 'bigint') raw = [Number(raw)];
    if (meta.type === H5T_FLOAT) {
      if (meta.size === 2) {
        const half = raw as Uint16Array;
        const out = new Float32Array(size);
        for (let i = 0; i < size; i++) out[i] = halfToFloat(half[i]!);
        return { shape, data: out, dtype: 'float16' };
      }
      if (meta.size === 8) return { shape, data: raw instanceof Float64Array ? raw : Float64Array.from(raw as number[]), dtype: 'float64' };
      return { shape, data: raw instanceof Float32Array ? raw : Float32Array.from(raw as number[]), dtype: 'float32' };
    }
    if (meta.type === H5T_INTEGER) {
      const values = Array.from(raw as ArrayLike<number | bigint>);
      return { shape, data: Float64Array.from(values, (v) => Number(v)), dtype: meta.signed ? 'int' : 'uint' };
    }
    throw new FileFormatError(this.where, null, `a numeric dataset at ${path}`, `HDF5 type class ${meta.type}`);
  }

  /** The shape of the dataset at `path` (nothing is read). */
  shapeOf(path: string): number[] {
    const ds = this.file.get(path);
    if (!(ds instanceof h5wasm.Dataset)) throw new FileFormatError(this.where, null, `a dataset at ${path}`, ds ? 'a group' : 'nothing');
    return ds.metadata.shape ?? [];
  }

  /**
   * Reads the dataset at `path` into `target` (same element count): little-endian float32 goes
   * straight from libhdf5's buffer into `target`, other dtypes through `read`.
   */
  readInto(path: string, target: Float32Array | Float64Array): void {
    const ds = this.file.get(path);
    if (!(ds instanceof h5wasm.Dataset)) throw new FileFormatError(this.where, null, `a dataset at ${path}`, ds ? 'a group' : 'nothing');
    const meta = ds.metadata;
    const n = (meta.shape ?? []).reduce((a, b) => a * b, 1);
    if (n !== target.length) throw new FileFormatError(this.where, null, `${target.length} values at ${path}`, `${n}`);
    if (!(meta.type === H5T_FLOAT && meta.size === 4 && meta.littleEndian && target instanceof Float32Array)) {
      target.set(this.read(path).data);
      return;
    }
    const mod = moduleRef!;
    const ptr = mod._malloc(n * 4);
    if (!ptr && n > 0) throw new FileFormatError(this.where, null, `memory for ${n} values at ${path}`, 'an allocation failure');
    try {
      mod.get_dataset_data(this.file.file_id, path, null, null, null, BigInt(ptr));
      target.set(new Float32Array(mod.HEAPU8.buffer, ptr, n));
    } catch (e) {
      throw new FileFormatError(
        this.where,
        null,
        `readable data at ${path}`,
        `libhdf5 failed (${libMessage(e)}); external storage is not allowed`,
      );
    } finally {
      mod._free(ptr);
    }
  }

  close(): void {
    try {
      this.file.close();
    } finally {
      this.fs.unlink(this.fsPath);
    }
  }
}

/** Builds an HDF5 file in memory. */
export class H5Writer {
  private constructor(
    private readonly file: InstanceType<typeof h5wasm.File>,
    private readonly fsPath: string,
    private readonly fs: H5Fs,
  ) {}

  /** A new file; `expectedBytes` reserves its storage at once (no regrowing copies for big models). */
  static async create(expectedBytes = 0): Promise<H5Writer> {
    const { fs } = await h5();
    const fsPath = `/convkit/w${counter++}.h5`;
    const file = new h5wasm.File(fsPath, 'w');
    const node = fs.lookupPath(fsPath).node;
    const reserve = expectedBytes + (1 << 20);
    if (!node.contents || node.contents.length < reserve) {
      const contents = new Uint8Array(reserve);
      if (node.contents) contents.set(node.contents.subarray(0, node.usedBytes));
      node.contents = contents;
    }
    // libhdf5 truncates the file on close; MEMFS would reallocate and copy it whole. Within the
    // reserved storage a truncation only moves the end (zeroing any extension).
    const ops = node.node_ops;
    node.node_ops = {
      ...ops,
      setattr(n: MemNode, attr: { size?: number }) {
        const { size, ...rest } = attr;
        if (size === undefined || !n.contents || size > n.contents.length) return ops.setattr(n, attr);
        if (size > n.usedBytes) n.contents.fill(0, n.usedBytes, size);
        n.usedBytes = size;
        return ops.setattr(n, rest);
      },
    };
    return new H5Writer(file, fsPath, fs);
  }

  /** Creates the group at `path` (and its parents) if missing. */
  group(path: string): void {
    let current = '';
    for (const part of path.split('/').filter(Boolean)) {
      const parent = current || '/';
      current += `/${part}`;
      if (!this.exists(current)) (this.file.get(parent) as H5Group).create_group(part);
    }
  }

  private exists(path: string): boolean {
    try {
      return this.file.get(path) !== null;
    } catch {
      return false;
    }
  }

  /** Writes a float32 dataset (or an int64 scalar for counters) at `path`. */
  dataset(path: string, data: Float32Array | Float64Array | BigInt64Array, shape: readonly number[]): void {
    const slash = path.lastIndexOf('/');
    const parent = path.slice(0, slash) || '/';
    this.group(parent);
    const dtype = data instanceof BigInt64Array ? '<q' : data instanceof Float64Array ? '<d' : '<f';
    (this.file.get(parent) as H5Group).create_dataset({ name: path.slice(slash + 1), data, shape: [...shape], dtype });
  }

  /** Sets a string (or list of strings) attribute on the object at `path`. */
  attr(path: string, name: string, value: string | string[]): void {
    this.group(path);
    const obj = this.file.get(path || '/') as H5Group;
    obj.create_attribute(name, value);
  }

  /** Closes the file and returns its bytes (a view of the file system's buffer, not a copy). */
  finish(): Uint8Array {
    this.file.close();
    const node = this.fs.lookupPath(this.fsPath).node;
    const bytes = (node.contents ?? new Uint8Array(0)).subarray(0, node.usedBytes);
    this.fs.unlink(this.fsPath);
    return bytes;
  }
}
