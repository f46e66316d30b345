/**
 * The draw-a-digit page in a real browser (Debian's Chromium, headless): a seed CNN trained here
 * on 3,000 real MNIST images is served; the test draws a 1 and a 0 with mouse events and expects
 * those classes, turns on the in-browser toggle (the same model rebuilt from /weights with the
 * browser-safe core, ts backend) and expects the same probabilities, then chooses a PNG for an RGB
 * model. Every request the page makes goes to the server (no CDN). Screenshots go to test-output/.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import '../../src/backends/native-loader.js';
import { serve, type RunningServer } from '../../src/serve/index.js';
import { trainDemoModel } from '../../src/serve/demo-model.js';
import { rgbModel } from '../serve/helpers.js';
import { chromiumMissing, launchChromium, SCREENSHOTS } from './browser.js';

describe('draw-a-digit page (Chromium)', { skip: chromiumMissing }, () => {
  let server: RunningServer;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let page: Page;
  const requested: string[] = [];
  const pageErrors: string[] = [];

  before(async () => {
    const { model } = await trainDemoModel({ samples: 3000, epochs: 3 });
    server = await serve({ mnist: model, colours: rgbModel() }, { port: 0 });
    browser = await launchChromium();
    page = await browser.context.newPage();
    page.on('request', (r) => requested.push(r.url()));
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${server.url}/`);
    await page.waitForSelector('body[data-ready="true"]');
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  /** Draws a polyline (pad coordinates 0..280) with the mouse; waits for the answer to the finished stroke. */
  async function draw(points: [number, number][]): Promise<{ server: string; browser: string }> {
    const box = (await page.locator('#pad').boundingBox())!;
    const rounds = Number((await page.getAttribute('body', 'data-rounds')) ?? 0);
    await page.mouse.move(box.x + points[0]![0], box.y + points[0]![1]);
    await page.mouse.down();
    for (const [x, y] of points.slice(1)) await page.mouse.move(box.x + x, box.y + y, { steps: 4 });
    await page.mouse.up();
    await page.waitForFunction(`Number(document.body.dataset.rounds ?? 0) > ${rounds}`);
    // The last answer is for the finished stroke once no request is in flight.
    await page.waitForLoadState('networkidle');
    return { server: (await page.textContent('#server-class'))!, browser: (await page.textContent('#browser-class'))! };
  }

  it('a drawn 1 is classified 1 by the server; the 28×28 input is shown', async () => {
    const result = await draw([
      [150, 40],
      [145, 120],
      [140, 240],
    ]);
    await page.screenshot({ path: join(SCREENSHOTS, 'draw-digit-1.png') });
    assert.equal(result.server, '1');
    assert.equal(result.browser, '–', 'the in-browser toggle is off');
    // The model's input: the stroke's box fills 20 rows of 28, centred.
    // (A string: the test compiles without the DOM's types.)
    const rows = (await page.evaluate(`(() => {
      const data = document.getElementById('seen').getContext('2d').getImageData(0, 0, 28, 28).data;
      return Array.from({ length: 28 }, (_, y) => Array.from({ length: 28 }, (_, x) => data[(y * 28 + x) * 4]).some((v) => v > 20));
    })()`)) as boolean[];
    assert.equal(rows.filter(Boolean).length, 20, 'the digit spans 20 of 28 rows');
    assert.equal(rows.indexOf(true), 4);
  });

  it('with the toggle on, a drawn 0 gets the same answer in the browser (convkit/core, ts) as on the server', async () => {
    await page.click('#clear');
    await page.check('#in-browser');
    const ring = Array.from({ length: 33 }, (_, i): [number, number] => {
      const a = (2 * Math.PI * i) / 32;
      return [140 + 60 * Math.sin(a), 140 - 95 * Math.cos(a)];
    });
    const result = await draw(ring);
    await page.screenshot({ path: join(SCREENSHOTS, 'draw-digit-0-in-browser.png') });
    assert.equal(result.server, '0');
    assert.equal(result.browser, '0');
    const maxDiff = Number(await page.getAttribute('#agreement', 'data-max-diff'));
    assert.ok(maxDiff < 1e-5, `largest probability difference ${maxDiff}`);
    assert.match((await page.textContent('#agreement'))!, /^Both agree: class 0 on the server, 0 here/);
  });

  it('an RGB model takes a chosen image; server and browser agree', async () => {
    await page.selectOption('#model', 'colours');
    const png = await sharp({ create: { width: 40, height: 30, channels: 3, background: { r: 200, g: 40, b: 90 } } })
      .png()
      .toBuffer();
    const rounds = Number((await page.getAttribute('body', 'data-rounds')) ?? 0);
    await page.setInputFiles('#file', { name: 'red.png', mimeType: 'image/png', buffer: png });
    await page.waitForFunction(`Number(document.body.dataset.rounds ?? 0) > ${rounds}`);
    await page.screenshot({ path: join(SCREENSHOTS, 'draw-digit-rgb.png') });
    assert.equal(await page.isVisible('#pad'), false, 'no drawing pad for an RGB model');
    assert.equal(await page.textContent('#server-class'), await page.textContent('#browser-class'));
    assert.ok(Number(await page.getAttribute('#agreement', 'data-max-diff')) < 1e-5);
  });

  it('every request went to the server, and the page raised no error', () => {
    assert.ok(requested.length > 10);
    assert.deepEqual(
      requested.filter((u) => !u.startsWith(`${server.url}/`)),
      [],
    );
    assert.ok(requested.some((u) => u.endsWith('/core/core.js')));
    assert.deepEqual(pageErrors, []);
  });
});
