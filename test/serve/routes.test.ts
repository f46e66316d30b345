/**
 * `serve`'s routes against 127.0.0.1: TensorFlow Serving's status, metadata and predict (row and
 * columnar JSON, PNG/JPEG bodies, b64 instances) give what in-process `predict` gives; /healthz,
 * /metrics, the page and its modules; bearer auth; version paths. Route shapes follow TF Serving's
 * REST API doc (tensorflow/serving, g3doc/api_rest.md).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { serve, type RunningServer } from '../../src/serve/index.js';
import { tensor } from '../../src/tensor/tensor.js';
import { greyModel, nest, rgbModel, samplePixels } from './helpers.js';

const grey = greyModel();
const rgb = rgbModel();
let server: RunningServer;

const expectedRows = (model: typeof grey, pixels: number[][], shape: number[]) =>
  pixels.map((p) => Array.from(model.predict(tensor(p, [1, ...shape])).data));

function assertClose(actual: unknown, expected: number[], where: string): void {
  assert.ok(Array.isArray(actual), `${where}: expected an array, received ${JSON.stringify(actual)}`);
  assert.equal(actual.length, expected.length, where);
  actual.forEach((v, i) => assert.ok(Math.abs((v as number) - expected[i]!) < 1e-6, `${where}[${i}]: ${v} vs ${expected[i]}`));
}

before(async () => {
  server = await serve({ mnist: grey, colours: rgb }, { port: 0, batchWindowMs: 1 });
});
after(() => server.close());

describe('serve: TensorFlow Serving REST routes', () => {
  it('binds 127.0.0.1 by default', () => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('GET /v1/models/NAME: the version status document', async () => {
    const res = await fetch(`${server.url}/v1/models/mnist`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {
      model_version_status: [{ version: '1', state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } }],
    });
  });

  it('GET /v1/models/NAME/metadata: serving_default with the input and output shapes', async () => {
    const res = await fetch(`${server.url}/v1/models/mnist/metadata`);
    type Info = { tensor_shape: { dim: { size: string }[] } };
    type Signature = { inputs: { inputs: Info }; outputs: { outputs: Info }; method_name: string };
    const doc = (await res.json()) as {
      model_spec: { name: string };
      metadata: { signature_def: { signature_def: Record<string, Signature> } };
    };
    assert.equal(doc.model_spec.name, 'mnist');
    const sig = doc.metadata.signature_def.signature_def['serving_default']!;
    assert.deepEqual(
      sig.inputs.inputs.tensor_shape.dim.map((d) => d.size),
      ['-1', '28', '28', '1'],
    );
    assert.deepEqual(
      sig.outputs.outputs.tensor_shape.dim.map((d) => d.size),
      ['-1', '10'],
    );
    assert.equal(sig.method_name, 'tensorflow/serving/predict');
  });

  it('POST :predict {"instances"} answers {"predictions"} equal to in-process predict', async () => {
    const pixels = [samplePixels(784, 1), samplePixels(784, 2), samplePixels(784, 3)];
    const res = await fetch(`${server.url}/v1/models/mnist:predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ instances: pixels.map((p) => nest(p, [28, 28, 1])) }),
    });
    assert.equal(res.status, 200);
    const { predictions } = (await res.json()) as { predictions: number[][] };
    const expected = expectedRows(grey, pixels, [28, 28, 1]);
    predictions.forEach((row, i) => assertClose(row, expected[i]!, `predictions[${i}]`));
    assert.ok(Math.abs(predictions[0]!.reduce((a, b) => a + b, 0) - 1) < 1e-5, 'softmax rows sum to 1');
  });

  it('POST :predict {"inputs"} (columnar) answers {"outputs"}; /versions/1 works too', async () => {
    const pixels = [samplePixels(192, 4)];
    const res = await fetch(`${server.url}/v1/models/colours/versions/1:predict`, {
      method: 'POST',
      body: JSON.stringify({ inputs: pixels.map((p) => nest(p, [8, 8, 3])) }),
    });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { outputs: number[][] };
    assertClose(body.outputs[0], expectedRows(rgb, pixels, [8, 8, 3])[0]!, 'outputs[0]');
    const v2 = await fetch(`${server.url}/v1/models/colours/versions/2`);
    assert.equal(v2.status, 404);
    assert.match(((await v2.json()) as { error: string }).error, /version 1 only, received version 2/);
  });

  it('a PNG body (image/png) and a {"b64"} JPEG instance predict like their decoded pixels', async () => {
    const raw = Buffer.from(samplePixels(8 * 8 * 3, 5).map((v) => Math.round(v * 255)));
    const png = await sharp(raw, { raw: { width: 8, height: 8, channels: 3 } })
      .png()
      .toBuffer();
    const res = await fetch(`${server.url}/v1/models/colours:predict`, {
      method: 'POST',
      headers: { 'content-type': 'image/png' },
      body: png,
    });
    assert.equal(res.status, 200);
    const { predictions } = (await res.json()) as { predictions: number[][] };
    assertClose(predictions[0], expectedRows(rgb, [Array.from(raw, (v) => v / 255)], [8, 8, 3])[0]!, 'PNG predictions[0]');

    // Lossless round trip is not possible with JPEG: compare with what sharp decodes.
    const jpeg = await sharp(raw, { raw: { width: 8, height: 8, channels: 3 } })
      .jpeg({ quality: 95 })
      .toBuffer();
    const decoded = await sharp(jpeg).raw().toBuffer();
    const res2 = await fetch(`${server.url}/v1/models/colours:predict`, {
      method: 'POST',
      body: JSON.stringify({ instances: [{ b64: jpeg.toString('base64') }] }),
    });
    assert.equal(res2.status, 200);
    const body2 = (await res2.json()) as { predictions: number[][] };
    assertClose(body2.predictions[0], expectedRows(rgb, [Array.from(decoded, (v) => v / 255)], [8, 8, 3])[0]!, 'JPEG predictions[0]');
  });

  it('a larger RGB PNG for the grey model is converted to grey and resized to 28×28', async () => {
    const png = await sharp({ create: { width: 56, height: 40, channels: 3, background: { r: 255, g: 255, b: 255 } } })
      .png()
      .toBuffer();
    const res = await fetch(`${server.url}/v1/models/mnist:predict`, {
      method: 'POST',
      headers: { 'content-type': 'image/png' },
      body: png,
    });
    assert.equal(res.status, 200);
    const { predictions } = (await res.json()) as { predictions: number[][] };
    assertClose(predictions[0], expectedRows(grey, [new Array(784).fill(1)], [28, 28, 1])[0]!, 'white image');
  });

  it('GET /healthz, GET /v1/models (the list) and GET /v1/models/NAME/weights (config + weights for the page)', async () => {
    assert.deepEqual(await (await fetch(`${server.url}/healthz`)).json(), { status: 'ok', models: ['mnist', 'colours'] });
    const list = (await (await fetch(`${server.url}/v1/models`)).json()) as { models: { name: string; inputShape: number[] }[] };
    assert.deepEqual(list.models[0], { name: 'mnist', inputShape: [28, 28, 1], outputShape: [10] });
    const doc = (await (await fetch(`${server.url}/v1/models/colours/weights`)).json()) as {
      model: { className: string };
      weights: { shape: number[]; data: string }[];
    };
    assert.equal(doc.model.className, 'Sequential');
    assert.deepEqual(
      doc.weights.map((w) => w.shape),
      [[192, 3], [3]],
    );
    const bytes = Buffer.from(doc.weights[0]!.data, 'base64');
    const kernel = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
    const [expectedKernel] = rgb.getWeights();
    assert.deepEqual(Array.from(kernel.subarray(0, 5)), Array.from(expectedKernel!.data.subarray(0, 5)));
  });

  it('GET /metrics: Prometheus text with request counts, latency and batch-size histograms', async () => {
    const res = await fetch(`${server.url}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type')!, /^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    assert.match(text, /^# TYPE convkit_requests_total counter$/m);
    assert.match(text, /^convkit_requests_total\{route="predict",code="200"\} [1-9]\d*$/m);
    assert.match(text, /^convkit_request_duration_seconds_bucket\{route="predict",le="\+Inf"\} [1-9]\d*$/m);
    assert.match(text, /^convkit_batch_size_count [1-9]\d*$/m);
    assert.match(text, /^convkit_queue_depth 0$/m);
  });

  it('serves the page at / and the core modules under /core/, nothing outside them', async () => {
    const page = await fetch(`${server.url}/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type')!, /text\/html/);
    assert.match(await page.text(), /<canvas/);
    const core = await fetch(`${server.url}/core/core.js`);
    assert.equal(core.status, 200);
    assert.match(await core.text(), /export/);
    for (const path of [
      '/web/../package.json',
      '/web/%2e%2e/package.json',
      '/core/..%2f..%2fpackage.json',
      '/core/%2e%2e/%2e%2e/package.json',
      '/web/x%00.js',
      '/core/core.d.ts',
    ]) {
      const res = await fetch(`${server.url}${path}`);
      assert.ok(res.status === 400 || res.status === 404, `${path}: ${res.status}`);
      assert.ok(typeof ((await res.json()) as { error: string }).error === 'string', path);
    }
  });
});

describe('serve: bearer token', () => {
  it('/v1/ and /metrics need the token; /healthz and the page do not', async () => {
    const secured = await serve({ mnist: grey }, { port: 0, token: 's3cret' });
    try {
      const denied = await fetch(`${secured.url}/v1/models/mnist`);
      assert.equal(denied.status, 401);
      assert.equal(denied.headers.get('www-authenticate'), 'Bearer');
      assert.match(((await denied.json()) as { error: string }).error, /bearer token/);
      assert.equal((await fetch(`${secured.url}/metrics`, { headers: { authorization: 'Bearer wrong!' } })).status, 401);
      assert.equal((await fetch(`${secured.url}/v1/models/mnist`, { headers: { authorization: 'Bearer s3cret' } })).status, 200);
      assert.equal((await fetch(`${secured.url}/healthz`)).status, 200);
      assert.equal((await fetch(`${secured.url}/`)).status, 200);
    } finally {
      await secured.close();
    }
  });

  it('refuses a model without a known input shape and a bad model name, saying why', async () => {
    await assert.rejects(serve({ 'a/b': grey }, { port: 0 }), /model name 'a\/b' must be letters/);
    await assert.rejects(serve({}, { port: 0 }), /at least one model/);
  });
});
