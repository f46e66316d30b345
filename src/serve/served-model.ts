/**
 * One model as the server sees it: its name, per-sample input and output shapes, a batcher in
 * front of its runner (a worker thread that owns a copy of the model, or the event loop), the
 * TensorFlow Serving status and metadata documents, and its config and weights as JSON (for the
 * page that runs the same model in the browser).
 */
import { serializeLayer } from '../layers/registry.js';
import type { Model } from '../models/model.js';
import { Batcher, type BatcherOptions } from './batcher.js';
import { InProcessRunner, WorkerRunner, type ModelRunner } from './model-runner.js';

const product = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** The model's input shape without the batch axis; throws if it is not known. */
export function sampleInputShape(model: Model, name: string): number[] {
  const first = model.layers[0]?.batchInputShape;
  if (!first || first.slice(1).some((d) => d === null)) {
    throw new Error(
      `serve: model "${name}" has no fixed input shape (received ${first ? JSON.stringify(first) : 'none'}); give its first layer inputShape`,
    );
  }
  return first.slice(1) as number[];
}

/** How a served model runs its batches. */
export interface RunnerOptions {
  /** In a worker thread (default true), or on the event loop. */
  worker: boolean;
  /** A worker's batch that takes longer fails with 504 and the worker is replaced, ms. */
  predictTimeoutMs: number;
}

/**
 * A model behind the server: shapes, batcher, runner and documents.
 *
 * @example
 * const served = await ServedModel.start('mnist', model, { maxBatch: 32, windowMs: 2, maxQueue: 1024 }, { worker: true, predictTimeoutMs: 30_000 });
 * const [row] = await served.batcher.submit([new Float32Array(784)]);
 */
export class ServedModel {
  readonly inputShape: number[];
  readonly outputShape: number[];
  readonly batcher: Batcher;

  private constructor(
    readonly name: string,
    readonly model: Model,
    readonly runner: ModelRunner,
    inputShape: number[],
    options: BatcherOptions,
  ) {
    this.inputShape = inputShape;
    this.outputShape = (model.outputShape.slice(1) as (number | null)[]).map((d) => d ?? 1);
    this.batcher = new Batcher((data, count) => runner.predict(data, count), product(inputShape), options);
  }

  /** Checks the model's shapes and starts its runner (a worker thread by default). */
  static async start(name: string, model: Model, options: BatcherOptions, run: RunnerOptions): Promise<ServedModel> {
    const inputShape = sampleInputShape(model, name);
    const runner = run.worker
      ? await WorkerRunner.start(name, model, inputShape, run.predictTimeoutMs)
      : new InProcessRunner(model, inputShape);
    return new ServedModel(name, model, runner, inputShape, options);
  }

  /** One output row as nested arrays of the output shape (plain numbers for a vector). */
  nest(row: Float32Array): unknown {
    const shape = this.outputShape;
    const build = (offset: number, dim: number): unknown[] => {
      const stride = product(shape.slice(dim + 1));
      return Array.from({ length: shape[dim]! }, (_, i) =>
        dim === shape.length - 1 ? row[offset + i] : build(offset + i * stride, dim + 1),
      );
    };
    return shape.length === 0 ? row[0] : build(0, 0);
  }

  /** `GET /v1/models/NAME`: TensorFlow Serving's model status. */
  status(): unknown {
    return { model_version_status: [{ version: '1', state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } }] };
  }

  /** `GET /v1/models/NAME/metadata`: TensorFlow Serving's signature_def for `serving_default`. */
  metadata(): unknown {
    const tensorInfo = (name: string, shape: readonly number[]) => ({
      dtype: 'DT_FLOAT',
      tensor_shape: { dim: [{ size: '-1', name: '' }, ...shape.map((d) => ({ size: String(d), name: '' }))], unknown_rank: false },
      name,
    });
    return {
      model_spec: { name: this.name, signature_name: '', version: '1' },
      metadata: {
        signature_def: {
          signature_def: {
            serving_default: {
              inputs: { inputs: tensorInfo('inputs', this.inputShape) },
              outputs: { outputs: tensorInfo('outputs', this.outputShape) },
              method_name: 'tensorflow/serving/predict',
            },
          },
        },
      },
    };
  }

  /** The model's config and weights (float32, little-endian, base64) for `layerFromConfig` + `setWeights` in a browser. */
  weightsDocument(): unknown {
    return {
      model: serializeLayer(this.model),
      weights: this.model.getWeights().map((w) => {
        const f = Float32Array.from(w.floats('weights'));
        return { shape: [...w.shape], data: Buffer.from(f.buffer, f.byteOffset, f.byteLength).toString('base64') };
      }),
    };
  }
}
