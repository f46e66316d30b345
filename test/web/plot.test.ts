/**
 * Plots without a browser: tick choice, CSVLogger parsing (with errors naming file and line),
 * curves and confusion-matrix SVGs (titles, legends, axis labels, counts), PNGs rendered by sharp
 * (size and the lines' colours present), and `convkit plot` end to end. PNGs also go to
 * test-output/ to be looked at.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { main } from '../../src/cli/main.js';
import { confusionMatrix, confusionSvg, curvesSvg, historyPanels, parseLogCsv, ticks, writeChart } from '../../src/plot/index.js';
import { SCREENSHOTS } from './browser.js';

const CSV = `epoch,accuracy,loss,val_accuracy,val_loss,learning_rate,seconds
0,0.91,0.30,0.97,0.10,0.001,3.1
1,0.97,0.09,0.98,0.07,0.001,3.0
2,0.98,0.06,0.985,0.05,0.0005,3.0
`;

/** How many pixels of `png` are close to the colour `rgb`. */
async function countColour(png: Buffer, [r, g, b]: [number, number, number]): Promise<number> {
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  let n = 0;
  for (let i = 0; i < data.length; i += info.channels)
    if (Math.abs(data[i]! - r) + Math.abs(data[i + 1]! - g) + Math.abs(data[i + 2]! - b) < 30) n++;
  return n;
}

describe('plots', () => {
  it('ticks are round numbers covering the range', () => {
    assert.deepEqual(ticks(0, 1, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
    assert.deepEqual(ticks(0.93, 0.99, 5), [0.94, 0.96, 0.98]);
    assert.deepEqual(ticks(1, 10, 8), [2, 4, 6, 8, 10]);
  });

  it('parses a CSVLogger file; errors name the file, line and column', () => {
    const logs = parseLogCsv(CSV, 'log.csv');
    assert.deepEqual(logs['epoch'], [0, 1, 2]);
    assert.deepEqual(logs['val_loss'], [0.1, 0.07, 0.05]);
    assert.throws(
      () => parseLogCsv('loss\n0.5\n', 'a.csv'),
      /a\.csv:1: expected an 'epoch' column \(a CSVLogger file\), received columns loss/,
    );
    assert.throws(() => parseLogCsv('epoch,loss\n0,0.5\n1\n', 'b.csv'), /b\.csv:3: expected 2 values, received 1/);
    assert.throws(() => parseLogCsv('epoch,loss\n0,abc\n', 'c.csv'), /c\.csv:2: column 'loss': expected a number, received 'abc'/);
    assert.throws(() => parseLogCsv('epoch,loss\n', 'd.csv'), /d\.csv: expected a header and at least one row, received 1 line/);
  });

  it('groups logs into Loss, metric and Learning rate panels, each with its val_ twin', () => {
    const panels = historyPanels(parseLogCsv(CSV, 'log.csv'), [1, 2, 3]);
    assert.deepEqual(
      panels.map((p) => [p.title, p.series.map((s) => s.name)]),
      [
        ['Loss', ['loss', 'val_loss']],
        ['Accuracy', ['accuracy', 'val_accuracy']],
        ['Learning rate', ['learning_rate']],
      ],
    );
    const svg = curvesSvg(panels);
    for (const text of ['>Loss<', '>val_accuracy<', '>epoch<', '>learning rate<', '>1e-3<']) assert.ok(svg.includes(text), text);
  });

  it('confusionMatrix counts (label, argmax) pairs and refuses a bad label', () => {
    assert.deepEqual(confusionMatrix(Float32Array.of(0.9, 0.1, 0.2, 0.8, 0.6, 0.4), [0, 0, 1], 2), [
      [1, 1],
      [1, 0],
    ]);
    assert.throws(() => confusionMatrix([0.5, 0.5], [2], 2), /labels\[0\] = 2, expected an integer class in \[0, 1\]/);
    const svg = confusionSvg([
      [50, 2],
      [3, 45],
    ]);
    assert.ok(svg.includes('>predicted class<') && svg.includes('>true class<') && svg.includes('>45<'));
  });

  it('renders PNGs through sharp: the size, and the lines and cells in their colours', async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    const dir = mkdtempSync(join(tmpdir(), 'convkit-plot-'));
    const curves = join(SCREENSHOTS, 'plot-curves.png');
    await writeChart(curvesSvg(historyPanels(parseLogCsv(CSV, 'log.csv'), [1, 2, 3])), curves);
    const png = readFileSync(curves);
    const meta = await sharp(png).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['png', 2 * 3 * 480, 2 * 340]);
    assert.ok((await countColour(png, [0x3d, 0x7b, 0xe0])) > 500, 'the blue lines are drawn');
    assert.ok((await countColour(png, [0xe0, 0x87, 0x3d])) > 500, 'the orange val_ lines are drawn');
    const cm = join(SCREENSHOTS, 'plot-confusion.png');
    await writeChart(
      confusionSvg([
        [50, 2],
        [3, 45],
      ]),
      cm,
    );
    assert.ok((await countColour(readFileSync(cm), [0x1f, 0x9d, 0x55])) > 1000, 'the diagonal is green');
    await assert.rejects(writeChart('<svg/>', join(dir, 'x.jpg')), /expected a file name ending in \.png or \.svg, received/);
  });

  it('convkit plot log.csv -o curves.svg|png; usage errors exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'convkit-plot-'));
    writeFileSync(join(dir, 'log.csv'), CSV);
    const quiet = console.log;
    console.log = () => {};
    const errors: string[] = [];
    const error = console.error;
    console.error = (m: string) => errors.push(m);
    try {
      assert.equal(await main(['plot', join(dir, 'log.csv'), '-o', join(dir, 'c.svg')]), 0);
      assert.match(readFileSync(join(dir, 'c.svg'), 'utf8'), /^<svg xmlns/);
      assert.equal(await main(['plot', join(dir, 'log.csv'), '-o', join(dir, 'c.png')]), 0);
      assert.equal((await sharp(join(dir, 'c.png')).metadata()).format, 'png');
      assert.equal(await main(['plot', join(dir, 'log.csv')]), 2);
      assert.equal(await main(['plot', join(dir, 'log.csv'), '-o', 'c.gif']), 2);
      assert.equal(await main(['plot', join(dir, 'missing.csv'), '-o', join(dir, 'x.png')]), 1);
      assert.equal(await main(['train', '--confusion', 'cm.gif']), 2, 'refused before any data loads');
      assert.equal(await main(['train', '--data-dir', dir, '--plot', 'c.png']), 2, 'not silently ignored with --data-dir');
    } finally {
      console.log = quiet;
      console.error = error;
    }
    assert.deepEqual(errors.slice(0, 2), [
      'convkit: expected -o FILE.png or -o FILE.svg',
      "convkit: -o: expected a name ending in .png or .svg, received 'c.gif'",
    ]);
    assert.match(errors[2]!, /^convkit: cannot read .*missing\.csv: ENOENT/);
    assert.equal(errors[3], "convkit: option --confusion: expected a file name ending in .png or .svg, received 'cm.gif'");
    assert.equal(errors[4], 'convkit: --plot: not yet available with --recipe or --data-dir; use them with the default recipe');
  });
});
