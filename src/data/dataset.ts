/**
 * A streaming dataset pipeline in the shape of tf.data: a Dataset is a recipe for an async
 * sequence of elements that can be iterated any number of times (each iteration starts again
 * from the source), transformed lazily with map / filter / shuffle / batch / prefetch / cache /
 * repeat / take / skip. Only what the stages hold is in memory: a shuffle buffer, the batch being
 * built, the prefetched elements (and everything, if you ask for `cache`). `fit`, `evaluate` and
 * `predict` take a Dataset of [x, y] batches. No Node built-ins here: image folders and
 * downloads live in their own files.
 */
/* eslint-disable @typescript-eslint/no-this-alias -- each stage's generator function reads its upstream dataset as `self` */
import { globalRandom, Random } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import { formatShape } from '../tensor/shape.js';

/** Something iterable, synchronously or not. */
type AnyIterable<T> = Iterable<T> | AsyncIterable<T>;

/** What `batch` makes of an element type: tensors gain a leading axis, numbers become a 1-D tensor. */
export type Batched<T> = T extends Tensor | number
  ? Tensor
  : T extends readonly unknown[]
    ? { [K in keyof T]: Batched<T[K]> }
    : T extends object
      ? { [K in keyof T]: Batched<T[K]> }
      : never;

/** Stacks equal-shaped tensors (or numbers, arrays and objects of them, recursively) along a new first axis. */
export function stackElements<T>(elements: readonly T[], where = 'batch'): Batched<T> {
  const first = elements[0] as unknown;
  if (first instanceof Tensor) {
    const tensors = elements as unknown as Tensor[];
    const row = first.size;
    const data =
      first.dtype === 'float64'
        ? new Float64Array(row * tensors.length)
        : first.dtype === 'int32'
          ? new Int32Array(row * tensors.length)
          : new Float32Array(row * tensors.length);
    tensors.forEach((t, i) => {
      if (t.dtype !== first.dtype || t.shape.length !== first.shape.length || t.shape.some((d, j) => d !== first.shape[j])) {
        throw new Error(
          `${where}: element ${i} is ${t.dtype} ${formatShape(t.shape)}, but element 0 is ${first.dtype} ${formatShape(first.shape)}; elements of a batch must match (resize images first)`,
        );
      }
      data.set(t.values(), i * row);
    });
    return new Tensor(data, [tensors.length, ...first.shape]) as Batched<T>;
  }
  if (typeof first === 'number') return new Tensor(Float32Array.from(elements as unknown as number[]), [elements.length]) as Batched<T>;
  if (Array.isArray(first)) {
    return first.map((_, k) =>
      stackElements(
        elements.map((e) => (e as unknown as unknown[])[k]),
        where,
      ),
    ) as unknown as Batched<T>;
  }
  if (first !== null && typeof first === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(first))
      out[key] = stackElements(
        elements.map((e) => (e as Record<string, unknown>)[key]),
        where,
      );
    return out as Batched<T>;
  }
  throw new Error(`${where}: cannot stack elements of type ${typeof first}; expected tensors, numbers, or arrays / objects of them`);
}

/** Row i of a tensor as a tensor of the sample shape, sharing the buffer. */
function row(x: Tensor, i: number): Tensor {
  const n = x.size / x.shape[0]!;
  return new Tensor(x.values().subarray(i * n, (i + 1) * n), x.shape.slice(1));
}

const isCount = (n: number): boolean => Number.isInteger(n) && n >= 0;

/**
 * A re-iterable, lazily transformed sequence of elements.
 *
 * @example
 * const train = Dataset.fromArrays(images, labels)
 *   .shuffle(10000, { seed: 1 })
 *   .batch(128)
 *   .map(([x, y]) => [augment.apply(x, { training: true }), y] as const)
 *   .prefetch(2);
 * await model.fit(train, { epochs: 10, validationData: Dataset.fromArrays(xTest, yTest).batch(500) });
 */
export class Dataset<T> implements AsyncIterable<T> {
  /**
   * @param source starts one pass over the elements
   * @param size the number of elements when known (Infinity for an endless dataset), else null
   */
  constructor(
    private readonly source: () => AnyIterable<T>,
    readonly size: number | null = null,
  ) {}

  /**
   * One element per sample of `x` (and `y`): tensors of the sample shape, sharing the arrays' memory.
   *
   * @example
   * Dataset.fromArrays(images, labels);   // elements [image [28, 28, 1], label []]
   */
  static fromArrays(x: Tensor): Dataset<Tensor>;
  static fromArrays(x: Tensor, y: Tensor): Dataset<[Tensor, Tensor]>;
  static fromArrays(x: Tensor, y?: Tensor): Dataset<Tensor> | Dataset<[Tensor, Tensor]> {
    if (x.rank === 0) throw new Error('Dataset.fromArrays: expected x with a sample axis first, received a scalar');
    const n = x.shape[0]!;
    if (y === undefined) {
      return new Dataset(function* () {
        for (let i = 0; i < n; i++) yield row(x, i);
      }, n);
    }
    if (y.rank === 0 || y.shape[0] !== n) {
      throw new Error(
        `Dataset.fromArrays: x and y must hold the same number of samples, received x ${formatShape(x.shape)} and y ${formatShape(y.shape)}`,
      );
    }
    return new Dataset<[Tensor, Tensor]>(function* () {
      for (let i = 0; i < n; i++) yield [row(x, i), row(y, i)];
    }, n);
  }

  /**
   * A dataset over whatever `make` returns, called once per iteration.
   *
   * @example
   * Dataset.fromGenerator(function* () { for (let i = 0; i < 3; i++) yield i; });
   */
  static fromGenerator<T>(make: () => AnyIterable<T>, size: number | null = null): Dataset<T> {
    return new Dataset(make, size);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    yield* this.source();
  }

  /** Every element, in order (for small datasets and tests). */
  async toArray(): Promise<T[]> {
    if (this.size === Infinity) throw new Error('Dataset.toArray: the dataset is endless (repeat() without a count); take(n) first');
    const out: T[] = [];
    for await (const e of this) out.push(e);
    return out;
  }

  /**
   * Applies `fn` to each element; with `numParallelCalls` > 1, that many calls run at once (for
   * async work such as decoding in worker threads), results still in order.
   *
   * @example ds.map(([x, y]) => [ops.mul(x, 1 / 255), y] as const);
   */
  map<U>(fn: (element: T, index: number) => U | Promise<U>, options: { numParallelCalls?: number } = {}): Dataset<U> {
    const parallel = options.numParallelCalls ?? 1;
    if (!Number.isInteger(parallel) || parallel < 1)
      throw new Error(`Dataset.map: expected numParallelCalls to be a positive integer, received ${parallel}`);
    const self = this;
    return new Dataset(async function* () {
      const pending: Promise<U>[] = [];
      let index = 0;
      for await (const e of self) {
        pending.push(Promise.resolve(fn(e, index++)));
        if (pending.length >= parallel) yield await pending.shift()!;
      }
      while (pending.length > 0) yield await pending.shift()!;
    }, this.size);
  }

  /** Keeps the elements for which `predicate` is true. */
  filter(predicate: (element: T) => boolean | Promise<boolean>): Dataset<T> {
    const self = this;
    return new Dataset(
      async function* () {
        for await (const e of self) if (await predicate(e)) yield e;
      },
      this.size === Infinity ? Infinity : null,
    );
  }

  /**
   * Shuffles with a buffer of `bufferSize` elements (tf.data's algorithm: each output is a
   * random element of the buffer, replaced by the next input). A buffer at least the dataset's
   * size gives a uniform shuffle. With a seed the order is reproducible; each iteration (epoch)
   * draws a new order unless `reshuffleEachIteration` is false.
   *
   * @example ds.shuffle(10000, { seed: 42 });
   */
  shuffle(bufferSize: number, options: { seed?: number; reshuffleEachIteration?: boolean } = {}): Dataset<T> {
    if (!Number.isInteger(bufferSize) || bufferSize < 1)
      throw new Error(`Dataset.shuffle: expected bufferSize to be a positive integer, received ${bufferSize}`);
    const { seed, reshuffleEachIteration = true } = options;
    const shared = seed === undefined ? globalRandom : new Random(seed);
    const self = this;
    return new Dataset(async function* () {
      const rng = reshuffleEachIteration || seed === undefined ? shared : new Random(seed);
      const buffer: T[] = [];
      for await (const e of self) {
        if (buffer.length < bufferSize) {
          buffer.push(e);
          continue;
        }
        const i = rng.int(bufferSize);
        const out = buffer[i]!;
        buffer[i] = e;
        yield out;
      }
      while (buffer.length > 0) {
        const i = rng.int(buffer.length);
        const out = buffer[i]!;
        buffer[i] = buffer[buffer.length - 1]!;
        buffer.pop();
        yield out;
      }
    }, this.size);
  }

  /**
   * Groups `batchSize` consecutive elements into one, stacking tensors along a new first axis;
   * the last, smaller batch is kept unless `dropRemainder`.
   *
   * @example Dataset.fromArrays(x, y).batch(32);   // elements [x [32, ...], y [32, ...]]
   */
  batch(batchSize: number, options: { dropRemainder?: boolean } = {}): Dataset<Batched<T>> {
    if (!Number.isInteger(batchSize) || batchSize < 1)
      throw new Error(`Dataset.batch: expected batchSize to be a positive integer, received ${batchSize}`);
    const drop = options.dropRemainder ?? false;
    const self = this;
    const size =
      this.size === null || this.size === Infinity
        ? this.size
        : drop
          ? Math.floor(this.size / batchSize)
          : Math.ceil(this.size / batchSize);
    return new Dataset(async function* () {
      let part: T[] = [];
      for await (const e of self) {
        part.push(e);
        if (part.length === batchSize) {
          yield stackElements(part, 'Dataset.batch');
          part = [];
        }
      }
      if (part.length > 0 && !drop) yield stackElements(part, 'Dataset.batch');
    }, size);
  }

  /**
   * Keeps up to `bufferSize` elements requested ahead, so the work that makes them (reading and
   * decoding files in worker threads) runs while the consumer (a training step) computes.
   *
   * @example ds.batch(128).prefetch(2);
   */
  prefetch(bufferSize = 1): Dataset<T> {
    if (!Number.isInteger(bufferSize) || bufferSize < 1)
      throw new Error(`Dataset.prefetch: expected bufferSize to be a positive integer, received ${bufferSize}`);
    const self = this;
    return new Dataset(async function* () {
      const it = self[Symbol.asyncIterator]();
      const ahead: Promise<IteratorResult<T>>[] = [];
      try {
        for (;;) {
          while (ahead.length < bufferSize + 1) ahead.push(it.next());
          const r = await ahead.shift()!;
          if (r.done) return;
          yield r.value;
        }
      } finally {
        // Settle what was requested (so no rejection goes unobserved), then close the source.
        await Promise.allSettled(ahead);
        await it.return?.();
      }
    }, this.size);
  }

  /**
   * Keeps every element of the first complete pass in memory and replays them afterwards (put
   * it before random augmentation, or every epoch sees the same augmented images).
   *
   * @example imageDatasetFromDirectory('photos', opts).cache().shuffle(1000);
   */
  cache(): Dataset<T> {
    let stored: T[] | null = null;
    const self = this;
    return new Dataset(async function* () {
      if (stored) {
        yield* stored;
        return;
      }
      const seen: T[] = [];
      for await (const e of self) {
        seen.push(e);
        yield e;
      }
      stored = seen;
    }, this.size);
  }

  /**
   * Plays the dataset `count` times (endlessly without a count).
   *
   * @example ds.repeat(2);
   */
  repeat(count?: number): Dataset<T> {
    if (count !== undefined && !isCount(count))
      throw new Error(`Dataset.repeat: expected count to be a non-negative integer, received ${count}`);
    const self = this;
    const size = count === undefined ? (this.size === 0 ? 0 : Infinity) : this.size === null ? null : this.size * count;
    return new Dataset(async function* () {
      for (let i = 0; count === undefined || i < count; i++) {
        let any = false;
        for await (const e of self) {
          any = true;
          yield e;
        }
        if (!any) return; // an empty dataset repeated is empty, not a busy loop
      }
    }, size);
  }

  /** The first `count` elements. */
  take(count: number): Dataset<T> {
    if (!isCount(count)) throw new Error(`Dataset.take: expected count to be a non-negative integer, received ${count}`);
    const self = this;
    return new Dataset(
      async function* () {
        if (count === 0) return;
        let i = 0;
        for await (const e of self) {
          yield e;
          if (++i >= count) return;
        }
      },
      this.size === null ? null : Math.min(this.size, count),
    );
  }

  /** All but the first `count` elements. */
  skip(count: number): Dataset<T> {
    if (!isCount(count)) throw new Error(`Dataset.skip: expected count to be a non-negative integer, received ${count}`);
    const self = this;
    return new Dataset(
      async function* () {
        let i = 0;
        for await (const e of self) if (i++ >= count) yield e;
      },
      this.size === null ? null : Math.max(0, this.size - count),
    );
  }
}
