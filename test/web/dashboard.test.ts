/**
 * The training dashboard in a real browser (Debian's Chromium, headless): a tab opened before
 * `fit` receives batch updates over SSE while training runs (the first arrives well before the
 * end), the epoch table and curves fill, and at the end the evaluation (confusion matrix of the
 * test samples, per-class accuracy, misclassified gallery) and the first layer's filters appear, and the feature maps of a chosen test image;
 * a second tab opened afterwards replays the same run. Screenshots of each tab go to test-output/.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import '../../src/backends/native-loader.js';
import { datasets } from '../../src/data/index.js';
import { oneHot } from '../../src/data/one-hot.js';
import { layers } from '../../src/layers/index.js';
import { sequential } from '../../src/models/sequential.js';
import { setSeed } from '../../src/tensor/random.js';
import { Dashboard } from '../../src/serve/dashboard.js';
import { chromiumMissing, launchChromium, SCREENSHOTS } from './browser.js';

describe('training dashboard (Chromium)', { skip: chromiumMissing }, () => {
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let dashboard: Dashboard;
  let page: Page;

  before(async () => {
    browser = await launchChromium();
  });
  after(async () => {
    await dashboard?.close();
    await browser?.close();
  });

  it('shows live curves during fit, then the evaluation and filters; a late tab replays the run', async () => {
    const { train, test } = await datasets.mnist.load({ limit: 1500 });
    setSeed(3);
    const model = sequential([
      layers.conv2d({ filters: 8, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] }),
      layers.maxPooling2d({ poolSize: 2 }),
      layers.flatten(),
      layers.dense({ units: 10, activation: 'softmax' }),
    ]);
    model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    dashboard = new Dashboard({ port: 0, flushMs: 50, testData: { x: test.images, y: test.labels }, onListening: () => {} });
    const url = await dashboard.start();
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${url}/`);
    await page.waitForSelector('body[data-ready="true"]');

    const start = performance.now();
    await model.fit(train.images, oneHot(train.labels, 10), {
      epochs: 3,
      batchSize: 32,
      validationSplit: 0.2,
      verbose: 0,
      callbacks: [dashboard],
    });
    const trainingMs = performance.now() - start;
    await page.waitForSelector('body[data-state="done"]');

    const steps = 3 * Math.ceil(1200 / 32);
    assert.equal(Number(await page.getAttribute('body', 'data-batches')), steps, 'every batch reached the page');
    assert.ok(Number(await page.getAttribute('body', 'data-updates')) >= 3, 'several live updates, not one at the end');
    const lead = Number(await page.getAttribute('body', 'data-first-update-before-end-ms'));
    assert.ok(
      lead > 0.5 * trainingMs,
      `the first update arrived ${lead.toFixed(0)} ms before the end of a ${trainingMs.toFixed(0)} ms run`,
    );
    assert.equal(await page.locator('#epochs tr').count(), 4, 'a header and three epoch rows');
    assert.match((await page.textContent('#epochs'))!, /val_accuracy/);
    assert.match((await page.textContent('#progress'))!, /epoch 3\/3, step 38\/38 · loss \d\.\d{4} · \d+ samples\/s · ETA \d+ s/);
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-curves.png') });

    await page.click('nav button[data-tab="model"]');
    assert.match((await page.textContent('#summary'))!, /Total params/);
    await page.click('nav button[data-tab="evaluation"]');
    const cells = await page.locator('#confusion td').allTextContents();
    assert.equal(cells.length, 100);
    assert.equal(
      cells.reduce((a, b) => a + Number(b), 0),
      1500,
      'the matrix counts every test sample',
    );
    assert.match((await page.textContent('#evaluation-note'))!, /Test accuracy 0\.\d{4} on 1500 samples/);
    assert.ok((await page.locator('#gallery canvas').count()) > 0);
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-evaluation.png'), fullPage: true });
    await page.click('nav button[data-tab="filters"]');
    assert.equal(await page.locator('#filters canvas').count(), 8);
    await page.fill('#feature-index', '7');
    await page.click('#feature-show');
    await page.waitForSelector('#feature-maps canvas');
    assert.equal(await page.locator('#feature-maps canvas').count(), 1 + 8, 'the input and 8 maps');
    assert.match((await page.textContent('#feature-status'))!, /test image 7, layer .*: 8 maps of 26×26/);
    await page.fill('#feature-index', '99999');
    await page.click('#feature-show');
    await page.waitForFunction(`document.getElementById('feature-status').textContent.startsWith('Error')`);
    assert.match((await page.textContent('#feature-status'))!, /expected a test image index in \[0, 1499\], received 99999/);
    await page.fill('#feature-index', '7');
    await page.click('#feature-show');
    await page.waitForFunction(`document.getElementById('feature-status').textContent.startsWith('test image')`);
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-filters.png') });

    const late = await browser.context.newPage();
    await late.goto(`${url}/`);
    await late.waitForSelector('body[data-state="done"]');
    assert.equal(Number(await late.getAttribute('body', 'data-batches')), steps, 'a tab opened later replays every batch');
    assert.deepEqual(errors, []);
    assert.ok(dashboard.overheadMs > 0);
  });
});
