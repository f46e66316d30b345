/**
 * "Installing never fails": the native build script exits 0 with one warning line when the addon
 * cannot be built, and at run time a missing addon falls back to the TypeScript backend with a
 * one-line warning.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));

describe('install and fallback', () => {
  it('the build script exits 0 with one warning line when the compiler is missing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'convkit-install-'));
    cpSync(join(root, 'scripts'), join(dir, 'scripts'), { recursive: true });
    cpSync(join(root, 'native', 'src'), join(dir, 'native', 'src'), { recursive: true });
    cpSync(join(root, 'native', 'binding.gyp'), join(dir, 'native', 'binding.gyp'));
    cpSync(join(root, 'package.json'), join(dir, 'package.json'));
    const r = spawnSync(process.execPath, [join(dir, 'scripts', 'build-native.mjs')], {
      encoding: 'utf8',
      env: { ...process.env, CXX: '/bin/false', CC: '/bin/false' },
      timeout: 300_000,
    });
    assert.equal(r.status, 0, r.stderr);
    const warnings = r.stderr.trim().split('\n');
    assert.equal(warnings.length, 1, r.stderr);
    assert.match(warnings[0]!, /^convkit: native backend not built \(.+\); falling back to the TypeScript backend$/);
    assert.equal(existsSync(join(dir, 'native', 'build', 'Release', 'convkit.node')), false);
  });

  it('without the addon, convkit runs on the ts backend after a one-line warning', () => {
    const r = spawnSync(process.execPath, [join(root, 'bin', 'convkit.js'), 'info'], {
      encoding: 'utf8',
      env: { ...process.env, CONVKIT_BACKEND: '', CONVKIT_NATIVE_ADDON: '/nonexistent/convkit.node' },
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^backend: ts$/m);
    const warnings = r.stderr.trim().split('\n');
    assert.equal(warnings.length, 1, r.stderr);
    assert.match(warnings[0]!, /^convkit: native backend unavailable \(.+\); using the TypeScript backend$/);
  });

  it('asking for native explicitly when it is missing is an error, not a silent fallback', () => {
    const r = spawnSync(
      process.execPath,
      [join(root, 'bin', 'convkit.js'), 'train', '--backend', 'native', '--epochs', '1', '--limit', '10'],
      {
        encoding: 'utf8',
        env: { ...process.env, CONVKIT_NATIVE_ADDON: '/nonexistent/convkit.node' },
      },
    );
    assert.equal(r.status, 1);
    assert.match(r.stderr, /native backend requested but unavailable/);
  });
});
