/**
 * `convkit train --checkpoint-dir DIR --save FILE` killed with SIGKILL and rerun with the same
 * command: the resumed run ends with weights bit-identical to a run never interrupted (same
 * seed). Killed twice mid-epoch (backups every 3 batches), and once after an epoch-end backup.
 * Also: a backup folder of another model is one clear error naming the folder (exit 1), and
 * --save of an unknown format is a usage error (exit 2) before any training.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadModel } from '../../src/index.js';

const bin = fileURLToPath(new URL('../../../bin/convkit.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'convkit-resume-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const common = ['train', '--epochs', '2', '--limit', '600', '--batch-size', '20', '--seed', '5', '--verbose', '0'];

function runToEnd(args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface Position {
  epoch: number;
  step: number;
}

/** Starts the command and SIGKILLs it as soon as DIR/state.json records a position `when` accepts. */
function runUntilKilled(args: string[], backupDir: string, when: (p: Position) => boolean): Promise<Position> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: 'ignore' });
    let seen: Position | null = null;
    const timer = setInterval(() => {
      try {
        const p = (JSON.parse(readFileSync(join(backupDir, 'state.json'), 'utf8')) as { position: Position }).position;
        if (when(p)) {
          seen = p;
          child.kill('SIGKILL');
          clearInterval(timer);
        }
      } catch {
        // not written yet
      }
    }, 5);
    child.on('exit', (code, signal) => {
      clearInterval(timer);
      if (signal === 'SIGKILL' && seen) resolvePromise(seen);
      else reject(new Error(`the run ended (code ${code}, signal ${signal}) before it could be killed at the wanted point`));
    });
  });
}

async function weights(path: string): Promise<Float32Array[]> {
  return (await loadModel(path)).weights.map((w) => Float32Array.from(w.data));
}

describe('convkit train: kill and resume', () => {
  const reference = join(dir, 'reference.keras');

  it('an uninterrupted run saves its model', () => {
    const r = runToEnd([...common, '--save', reference]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Saved the model to /);
  });

  it('killed twice mid-epoch (backups every 3 batches), resumed: bit-identical weights', async () => {
    const backupDir = join(dir, 'every3');
    const out = join(dir, 'every3.keras');
    const args = [...common, '--save', out, '--checkpoint-dir', backupDir, '--checkpoint-every', '3'];
    const first = await runUntilKilled(args, backupDir, (p) => p.epoch === 0 && p.step >= 9);
    const second = await runUntilKilled(args, backupDir, (p) => p.epoch === 1 && p.step >= 12);
    assert.ok(second.epoch > first.epoch);
    const r = runToEnd(args);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Resuming from .*every3: epoch 2, \d+ batches done/);
    assert.equal(existsSync(backupDir), false, 'the backup is removed once the model is saved');
    assert.deepEqual(await weights(out), await weights(reference));
  });

  it('killed after an epoch-end backup, resumed: bit-identical weights', async () => {
    const backupDir = join(dir, 'epochs');
    const out = join(dir, 'epochs.keras');
    const args = [...common, '--save', out, '--checkpoint-dir', backupDir];
    await runUntilKilled(args, backupDir, (p) => p.epoch === 1);
    const r = runToEnd(args);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Resuming from .*epochs: epoch 2, 0 batches done/);
    assert.deepEqual(await weights(out), await weights(reference));
  });

  it('a backup of another model: one line naming the folder, exit 1; a bad --save: exit 2', async () => {
    const backupDir = join(dir, 'other');
    await runUntilKilled([...common, '--checkpoint-dir', backupDir, '--checkpoint-every', '3'], backupDir, (p) => p.step >= 3);
    const r = runToEnd([...common, '--model', 'resnet20', '--checkpoint-dir', backupDir]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^convkit: backup folder '.*other': the backup is of a different model .*\n$/);
    const bad = runToEnd([...common, '--save', join(dir, 'm.txt')]);
    assert.equal(bad.code, 2);
    assert.equal(
      bad.stderr,
      `convkit: option --save: cannot tell the format of '${join(dir, 'm.txt')}'; expected a name ending in .keras, .h5 or model.json\n`,
    );
    const noDir = runToEnd([...common, '--checkpoint-every', '3']);
    assert.equal(noDir.code, 2);
  });
});
