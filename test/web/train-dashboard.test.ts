/**
 * `convkit train --dashboard` with `--recipe` and with `--data-dir` (refused before): the run's
 * events reach the dashboard (start, one epoch event per epoch, end), the page stays up after
 * training until SIGINT (exit 0), and `--dashboard-token` guards the events as serve's --token
 * guards its API.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { writeTwoColourFolder } from '../helpers/image-folder.js';

const bin = fileURLToPath(new URL('../../../bin/convkit.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'convkit-train-dashboard-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `convkit train ARGS`, reads the run's events from its dashboard once trained, then stops it with SIGINT. */
async function trainWithDashboard(args: string[], token: string | null): Promise<{ events: string; code: number | null; stdout: string }> {
  const child = spawn(
    process.execPath,
    [bin, 'train', ...args, '--dashboard', '--dashboard-port', '0', '--verbose', '0', ...(token ? ['--dashboard-token', token] : [])],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const deadline = Date.now() + 240_000;
  while (!/Dashboard still at/.test(stdout)) {
    if (child.exitCode !== null || Date.now() > deadline) assert.fail(`no dashboard: exit ${child.exitCode}\n${stdout}\n${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const url = /Dashboard: (http:\/\/127\.0\.0\.1:\d+)\/(#token=\S+)?\n/.exec(stdout);
  assert.ok(url, stdout);
  if (token !== null) {
    assert.equal(url[2], `#token=${token}`, 'the printed address carries the token for the page');
    assert.equal((await fetch(`${url[1]}/events`)).status, 401);
  }
  const controller = new AbortController();
  const res = await fetch(`${url[1]}/events`, { headers: token ? { authorization: `Bearer ${token}` } : {}, signal: controller.signal });
  assert.equal(res.status, 200);
  const reader = res.body!.getReader();
  let events = '';
  while (!events.includes('event: end')) events += new TextDecoder().decode((await reader.read()).value);
  controller.abort();
  child.kill('SIGINT');
  return { events, code: await exited, stdout };
}

describe('convkit train --dashboard with --recipe and --data-dir', () => {
  before(async () => {
    await writeTwoColourFolder(dir);
  });

  it('--data-dir --dashboard --dashboard-token: the events need the token and hold every epoch', async () => {
    const r = await trainWithDashboard(['--data-dir', dir, '--image-size', '16', '--epochs', '2', '--batch-size', '8'], 'tok');
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, /Test accuracy: \d\.\d{4} \(on the 4 held-out images/);
    assert.match(r.events, /^event: start\n/);
    assert.equal(r.events.match(/^event: epoch$/gm)?.length, 2);
    assert.match(r.events, /event: batches\ndata: \[\{"epoch":0,"batch":0/);
  });

  it('--recipe mnist-augmented --dashboard: the events hold every epoch', async () => {
    const r = await trainWithDashboard(['--recipe', 'mnist-augmented', '--epochs', '1', '--limit', '128', '--batch-size', '64'], null);
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, /Test accuracy: \d\.\d{4}/);
    assert.equal(r.events.match(/^event: epoch$/gm)?.length, 1);
    assert.match(r.events, /"val_accuracy":/);
  });
});
