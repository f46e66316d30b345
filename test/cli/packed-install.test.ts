/**
 * Installing the packed package as a dependency with scripts disabled (`npm install
 * --ignore-scripts`, what npm 11 does for packages outside allowScripts) still gets the native
 * backend on linux-x64: `npm pack` (prepack) puts the prebuilt addon in the tarball, and the
 * loader picks it up when there is no build from source. The install script builds from source
 * only when no prebuilt loads.
 */
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const skip =
  process.platform !== 'linux' || process.arch !== 'x64'
    ? 'the shipped prebuilt is for linux-x64'
    : !existsSync(join(root, 'native', 'build', 'Release', 'convkit.node'))
      ? 'the native addon is not built in this checkout (the prebuild reuses that build)'
      : false;

/** The environment without Convkit's own settings, so the installed package chooses for itself. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('CONVKIT_')) delete env[key];
  return env;
}

function run(command: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  const r = spawnSync(command, args, { cwd, encoding: 'utf8', env: cleanEnv(), timeout: 180_000 });
  assert.equal(r.status, 0, `${command} ${args.join(' ')} failed:\n${r.stderr}\n${r.stdout}`);
  return r;
}

describe('the packed package', { skip }, () => {
  const work = mkdtempSync(join(tmpdir(), 'convkit-pack-'));
  after(() => rmSync(work, { recursive: true, force: true }));

  it('installed with --ignore-scripts in a scratch project, uses the prebuilt native addon', () => {
    run('npm', ['pack', '--pack-destination', work], root);
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
    assert.ok(tarball, `npm pack wrote no tarball into ${work}`);
    assert.equal(existsSync(join(root, 'prebuilds')), false, 'postpack leaves no prebuilds/ in the checkout');

    const project = join(work, 'project');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'scratch', version: '1.0.0', private: true, type: 'module' }));
    run('npm', ['install', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund', join(work, tarball)], project);

    const installed = join(project, 'node_modules', 'convkit');
    assert.ok(existsSync(join(installed, 'prebuilds', 'linux-x64', 'convkit.node')), 'the tarball carries prebuilds/linux-x64');
    assert.equal(existsSync(join(installed, 'native', 'build')), false, 'nothing was built from source');

    const info = run(process.execPath, [join(installed, 'bin', 'convkit.js'), 'info'], project);
    assert.match(info.stdout, /^backend: native$/m);
    assert.match(
      info.stdout,
      /^native addon: .*prebuilds\/linux-x64\/convkit\.node \(the prebuilt linux-x64 binary shipped in the package; .*\)$/m,
    );
    assert.equal(info.stderr, '', 'no fallback warning');

    // As a user imports it: the default backend is native, and it computes.
    const script = `
      import { getBackend, ops, tensor } from 'convkit';
      const y = ops.matmul(tensor([[1, 2], [3, 4]]), tensor([[5], [6]]));
      console.log(getBackend().name, JSON.stringify(y.toArray()));`;
    const user = run(process.execPath, ['--input-type=module', '-e', script], project);
    assert.equal(user.stdout.trim(), 'native [[17],[39]]');

    // A build from source that does not load (say, for another Node.js) gives way to the prebuilt, saying so.
    mkdirSync(join(installed, 'native', 'build', 'Release'), { recursive: true });
    writeFileSync(join(installed, 'native', 'build', 'Release', 'convkit.node'), 'not an ELF file');
    const broken = run(process.execPath, [join(installed, 'bin', 'convkit.js'), 'info'], project);
    assert.match(broken.stdout, /^backend: native$/m);
    assert.match(
      broken.stdout,
      /^native addon: .*prebuilds\/linux-x64\/convkit\.node \(.*; the build from source does not load \(addon failed to load from .*native\/build\/Release\/convkit\.node: .+\)\)$/m,
    );
  });
});

describe('the install script and the loader, in this checkout', { skip }, () => {
  const addon = join(root, 'native', 'build', 'Release', 'convkit.node');

  /** A copy of what the package holds for an install, with `prebuilt` as its prebuilds/linux-x64 addon. */
  function packageCopy(prebuilt: (path: string) => void): string {
    const dir = mkdtempSync(join(tmpdir(), 'convkit-prebuilt-'));
    cpSync(join(root, 'scripts'), join(dir, 'scripts'), { recursive: true });
    cpSync(join(root, 'native', 'src'), join(dir, 'native', 'src'), { recursive: true });
    cpSync(join(root, 'native', 'binding.gyp'), join(dir, 'native', 'binding.gyp'));
    cpSync(join(root, 'package.json'), join(dir, 'package.json'));
    mkdirSync(join(dir, 'prebuilds', 'linux-x64'), { recursive: true });
    prebuilt(join(dir, 'prebuilds', 'linux-x64', 'convkit.node'));
    return dir;
  }

  /** The install script with no working compiler, so any attempt to build from source fails fast. */
  function install(dir: string): SpawnSyncReturns<string> {
    return spawnSync(process.execPath, [join(dir, 'scripts', 'build-native.mjs')], {
      encoding: 'utf8',
      env: { ...cleanEnv(), CXX: '/bin/false', CC: '/bin/false' },
      timeout: 300_000,
    });
  }

  it('skips the build from source when the shipped prebuilt loads', () => {
    const dir = packageCopy((path) => copyFileSync(addon, path));
    try {
      const r = install(dir);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stderr, '', 'no build was tried, so nothing failed');
      assert.equal(existsSync(join(dir, 'native', 'build')), false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('builds from source when the prebuilt does not load (then falls back as before)', () => {
    const dir = packageCopy((path) => writeFileSync(path, 'not an ELF file'));
    try {
      const r = install(dir);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stderr.trim(), /^convkit: native backend not built \(.+\); falling back to the TypeScript backend$/);
      assert.ok(existsSync(join(dir, 'native', 'build')), 'node-gyp was run');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('convkit info names the build from source here, and why', () => {
    const r = spawnSync(process.execPath, [join(root, 'bin', 'convkit.js'), 'info'], { encoding: 'utf8', env: cleanEnv() });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^native addon: .*native\/build\/Release\/convkit\.node \(built from source by npm install \(node-gyp\)\)$/m);
  });
});
