/**
 * The CLI behaves like a Unix tool (issue 8): help and --version on stdout with exit 0; usage
 * errors (flags, --seed range, --log paths, CONVKIT_* variables) as one line on stderr with
 * exit 2, before any data is loaded; failures while running exit 1; a closed stdout
 * (`| head -3`) ends the run quietly.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../../bin/convkit.js', import.meta.url));
const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };

function convkit(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** stderr's lines from convkit, without the "native backend unavailable" note of a ts-only install. */
const errorLines = (stderr: string) =>
  stderr
    .trim()
    .split('\n')
    .filter((l) => l !== '' && !l.includes('native backend unavailable'));

describe('convkit CLI as a Unix tool', () => {
  it('--version and --help go to stdout with exit 0; no command is a usage error on stderr', () => {
    for (const flag of ['--version', '-V']) {
      const v = convkit([flag]);
      assert.deepEqual([v.code, v.stdout, v.stderr], [0, `convkit ${pkg.version}\n`, '']);
    }
    const help = convkit(['--help']);
    assert.equal(help.code, 0);
    assert.match(
      help.stdout,
      /Usage: convkit <command>[\s\S]*--version[\s\S]*Exit status: 0 success, 1 a failure while running, 2 a usage error/,
    );
    assert.equal(help.stderr, '');
    const none = convkit([]);
    assert.equal(none.code, 2);
    assert.equal(none.stdout, '');
    assert.match(none.stderr, /Usage: convkit <command>/);
  });

  const dir = mkdtempSync(join(tmpdir(), 'convkit-cli-'));
  const usage: [string, string[], Record<string, string>, RegExp][] = [
    [
      '--seed above 2^32 − 1',
      ['train', '--seed', '4294967297'],
      {},
      /^convkit: option --seed: expected an integer from 0 to 4294967295 \(2\^32 - 1\), received 4294967297$/,
    ],
    ['--seed negative', ['train', '--seed', '-1'], {}, /^convkit: option --seed: expected an integer from 0 to 4294967295/],
    ['--log empty', ['train', '--log', ''], {}, /^convkit: --log: expected a file path, received ""$/],
    [
      '--log in a missing folder',
      ['train', '--log', join(dir, 'nope', 'run.csv')],
      {},
      /^convkit: --log '.*nope\/run\.csv': cannot write there: folder '.*nope' does not exist$/,
    ],
    [
      '--log at /proc/version',
      ['train', '--log', '/proc/version'],
      {},
      /^convkit: --log '\/proc\/version': cannot write there: cannot create files in '\/proc'$/,
    ],
    ['--log at a folder', ['train', '--log', dir], {}, /^convkit: --log '.*': cannot write there: it is a folder$/],
    // The largest seed is accepted: the run goes on to the (bad) --log, which is refused.
    ['--seed 2^32 − 1 accepted', ['train', '--seed', '4294967295', '--log', ''], {}, /^convkit: --log: expected a file path/],
    ...['0', 'abc', '-1', '1.5', '257'].map((v): [string, string[], Record<string, string>, RegExp] => [
      `CONVKIT_NUM_THREADS=${v}`,
      ['train'],
      { CONVKIT_NUM_THREADS: v },
      new RegExp(`^convkit: CONVKIT_NUM_THREADS: expected a whole number of threads from 1 to 256, received '${v.replace('.', '\\.')}'$`),
    ]),
    [
      'CONVKIT_NATIVE_ISA=bogus',
      ['info'],
      { CONVKIT_NATIVE_ISA: 'bogus' },
      /^convkit: CONVKIT_NATIVE_ISA: expected one of auto, portable, avx2, avx512, received 'bogus'$/,
    ],
    ['CONVKIT_BACKEND=gpu', ['train'], { CONVKIT_BACKEND: 'gpu' }, /^convkit: CONVKIT_BACKEND: expected ts or native, received 'gpu'$/],
  ];
  for (const [name, args, env, message] of usage) {
    it(`${name}: one line on stderr, exit 2, before loading any data`, () => {
      const r = convkit(args, env);
      assert.equal(r.code, 2, r.stderr);
      assert.equal(r.stdout, '', 'nothing ran: no backend line, no data loaded');
      const lines = errorLines(r.stderr);
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0]!, message);
    });
  }

  it('a failure while running exits 1 with one line', () => {
    const r = convkit(['train', '--dataset', 'cifar10', '--limit', '10'], { CONVKIT_CIFAR10_DIR: join(dir, 'no-cifar') });
    assert.equal(r.code, 1);
    const lines = errorLines(r.stderr);
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, /^convkit: cifar10/);
  });

  it('warns about more threads than cores, and runs', () => {
    const r = convkit(['info'], { CONVKIT_NUM_THREADS: '256' });
    assert.equal(r.code, 0);
    if (/backend: native/.test(r.stdout)) {
      assert.match(r.stderr, /convkit: warning: CONVKIT_NUM_THREADS=256 is more than the \d+ cores of this machine/);
    }
  });

  it('`convkit train | head -3` ends quietly (no EPIPE stack)', () => {
    const r = spawnSync(
      'bash',
      [
        '-c',
        `"${process.execPath}" "${bin}" train --limit 64 --epochs 2 --batch-size 32 --backend ts 2>"${dir}/err" | head -3; echo "exit=\${PIPESTATUS[0]}"`,
      ],
      { encoding: 'utf8', timeout: 120_000 },
    );
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 4, r.stdout);
    assert.equal(lines[0], 'Backend: ts');
    assert.equal(lines[3], 'exit=0');
    assert.equal(readFileSync(join(dir, 'err'), 'utf8'), '');
  });

  it('Ctrl-C in epoch 1 leaves an earlier --log as it was', async () => {
    const file = join(dir, 'earlier.csv');
    writeFileSync(file, 'epoch,loss,seconds\n0,0.5,1.000\n');
    const child = spawn(process.execPath, [
      bin,
      'train',
      '--limit',
      '3000',
      '--epochs',
      '1',
      '--backend',
      'ts',
      '--verbose',
      '2',
      '--log',
      file,
    ]);
    const signal = await new Promise<NodeJS.Signals | null>((resolve) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('Epoch 1/1')) child.kill('SIGINT');
      });
      child.on('exit', (_code, sig) => resolve(sig));
    });
    assert.equal(signal, 'SIGINT', 'interrupted during the epoch');
    assert.equal(readFileSync(file, 'utf8'), 'epoch,loss,seconds\n0,0.5,1.000\n');
  });
});
