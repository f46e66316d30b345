/**
 * `new Dashboard({ token })` (`convkit train --dashboard --dashboard-token T`): the run's data
 * (/events, /feature-maps) needs `Authorization: Bearer T`, as serve's API does: without it or
 * with a wrong one → 401 JSON with WWW-Authenticate; the page itself stays open; a page opened as
 * /#token=T reads the events with the header (in Chromium) and shows the run; malformed requests
 * are answered with JSON, and the server keeps serving.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { oneHot } from '../../src/data/one-hot.js';
import { layers } from '../../src/layers/index.js';
import { sequential } from '../../src/models/sequential.js';
import { Dashboard } from '../../src/serve/dashboard.js';
import { setSeed } from '../../src/tensor/random.js';
import { tensor } from '../../src/tensor/tensor.js';
import { rawRequest } from '../serve/helpers.js';
import { chromiumMissing, launchChromium, SCREENSHOTS } from './browser.js';

/** A tiny run: 64 random 8×8 images, 2 classes, 2 epochs of 4 batches. */
async function train(dashboard: Dashboard): Promise<void> {
  setSeed(5);
  const model = sequential([
    layers.conv2d({ filters: 2, kernelSize: 3, activation: 'relu', inputShape: [8, 8, 1] }),
    layers.flatten(),
    layers.dense({ units: 2, activation: 'softmax' }),
  ]);
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const x = tensor(
    Array.from({ length: 64 * 64 }, (_, i) => ((i * 7919) % 13) / 13),
    [64, 8, 8, 1],
  );
  const y = oneHot(
    tensor(
      Array.from({ length: 64 }, (_, i) => i % 2),
      [64],
      'int32',
    ),
    2,
  );
  await model.fit(x, y, { epochs: 2, batchSize: 16, verbose: 0, callbacks: [dashboard] });
}

describe('dashboard: bearer token', () => {
  const dashboards: Dashboard[] = [];
  after(async () => {
    for (const d of dashboards) await d.close();
  });

  it('/events and /feature-maps need the token (401 JSON otherwise); the page is open; bad requests get JSON', async () => {
    const x = tensor(new Array(2 * 64).fill(0.5), [2, 8, 8, 1]);
    const dashboard = new Dashboard({ port: 0, token: 's3cret', testData: { x, y: tensor([0, 1], [2], 'int32') }, onListening: () => {} });
    dashboards.push(dashboard);
    await train(dashboard);
    const url = dashboard.url;
    for (const path of ['/events', '/feature-maps?index=0']) {
      for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: 's3cret' }] as Record<string, string>[]) {
        const res = await fetch(`${url}${path}`, { headers });
        assert.equal(res.status, 401, `${path} with ${JSON.stringify(headers)}`);
        assert.equal(res.headers.get('www-authenticate'), 'Bearer');
        assert.match(res.headers.get('content-type') ?? '', /application\/json/);
        assert.match(((await res.json()) as { error: string }).error, /missing or wrong bearer token/);
      }
    }
    const maps = await fetch(`${url}/feature-maps?index=1`, { headers: { authorization: 'Bearer s3cret' } });
    assert.equal(maps.status, 200);
    assert.deepEqual(((await maps.json()) as { shape: number[] }).shape, [6, 6, 2]);
    const controller = new AbortController();
    const events = await fetch(`${url}/events`, { headers: { authorization: 'Bearer s3cret' }, signal: controller.signal });
    assert.equal(events.status, 200);
    assert.match(events.headers.get('content-type') ?? '', /text\/event-stream/);
    const reader = events.body!.getReader();
    let text = '';
    while (!text.includes('event: end')) text += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    assert.match(text, /^event: start\n/);
    assert.equal((await fetch(`${url}/`)).status, 200, 'the page needs no token');
    assert.equal((await fetch(`${url}/web/dashboard.js`)).status, 200);
    // Malformed requests: a bad method, an unknown path, a traversal, a broken request line.
    assert.equal((await fetch(`${url}/events`, { method: 'POST', body: 'x' })).status, 405);
    assert.equal((await fetch(`${url}/nothing`)).status, 404);
    const traversal = await rawRequest(url, 'GET /web/..%2f..%2fpackage.json HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');
    assert.ok(traversal.status >= 400 && traversal.status < 500, `traversal answered ${traversal.status}`);
    assert.doesNotThrow(() => JSON.parse(traversal.body));
    assert.equal((await fetch(`${url}/`)).status, 200, 'still serving');
  });

  it('a page opened as /#token=T shows the run (Chromium)', { skip: chromiumMissing }, async () => {
    const dashboard = new Dashboard({ port: 0, token: 'tok en/ü', flushMs: 10, onListening: () => {} });
    dashboards.push(dashboard);
    await train(dashboard);
    const browser = await launchChromium();
    try {
      const page = await browser.context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${dashboard.url}/#token=${encodeURIComponent('tok en/ü')}`);
      await page.waitForSelector('body[data-state="done"]');
      assert.equal(Number(await page.getAttribute('body', 'data-batches')), 8, 'every batch replayed');
      await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-token.png') });
      const denied = await browser.context.newPage();
      await denied.goto(`${dashboard.url}/#token=wrong`);
      await denied.waitForFunction(`document.getElementById('run-state').textContent.startsWith('Error')`);
      assert.match((await denied.textContent('#run-state'))!, /missing or wrong bearer token/);
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
    }
  });
});
