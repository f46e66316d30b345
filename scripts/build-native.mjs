// The native addon's build, in three modes:
//
// - (no flag) `npm install`, and `npm run build:native` (with --verbose): when the package ships
//   a prebuilt addon for this platform (prebuilds/<platform>-<arch>/convkit.node) and it loads,
//   nothing is built; otherwise node-gyp builds native/build/Release/convkit.node from source.
//   The install never fails because of this script: if the build cannot run or fails (no
//   compiler, unsupported platform, no node headers) it prints one warning line and exits 0,
//   and Convkit falls back to its TypeScript backend. CONVKIT_SKIP_NATIVE=1 skips the build;
//   `npm install --build-from-source` (npm_config_build_from_source) ignores the prebuilt.
// - --prebuild (`npm pack`'s prepack): builds from source (incrementally) and copies the addon to
//   prebuilds/<platform>-<arch>/, so the tarball carries it (the ISA dispatch is inside the one
//   binary). Fails loudly: a package must not ship without it.
// - --clean-prebuilds (postpack): removes prebuilds/ again; it is never committed.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const nativeDir = join(root, 'native');
const addon = join(nativeDir, 'build', 'Release', 'convkit.node');
const prebuildsDir = join(root, 'prebuilds');
/** Where the package's prebuilt addon for this platform lives (src/backends/native-loader.ts looks there too). */
const prebuilt = join(prebuildsDir, `${process.platform}-${process.arch}`, 'convkit.node');
const verbose = process.argv.includes('--verbose');
const prebuild = process.argv.includes('--prebuild');
const TIMEOUT_MS = 10 * 60 * 1000;

function giveUp(reason) {
  if (prebuild) {
    console.error(`convkit: prebuild failed: ${reason}`);
    process.exit(1);
  }
  console.warn(`convkit: native backend not built (${reason}); falling back to the TypeScript backend`);
  process.exit(0);
}

/** Loads `path` in a child process; returns its info() as JSON text, or the error. */
function tryLoad(path) {
  const check = spawnSync(process.execPath, ['-e', `console.log(JSON.stringify(require(${JSON.stringify(path)}).info()))`], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  return check.status === 0 ? { info: check.stdout.trim() } : { error: (check.stderr || String(check.signal)).trim().split('\n')[0] };
}

/** The node-gyp entry script: npm's own (npm_config_node_gyp), else the copy bundled with npm. */
function findNodeGyp() {
  const candidates = [];
  if (process.env.npm_config_node_gyp) candidates.push(process.env.npm_config_node_gyp);
  if (process.env.npm_execpath) {
    // .../npm/bin/npm-cli.js → .../npm/node_modules/node-gyp/bin/node-gyp.js
    candidates.push(join(dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  }
  const prefix = dirname(dirname(process.execPath));
  candidates.push(join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  candidates.push(join(dirname(process.execPath), 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  try {
    candidates.push(createRequire(join(root, 'package.json')).resolve('node-gyp/bin/node-gyp.js'));
  } catch {
    // not installed locally: fine
  }
  return candidates.find((c) => existsSync(c)) ?? null;
}

/** Node's headers: npm passes npm_config_nodedir; run directly, use the running node's prefix. */
function nodedirArgs() {
  if (process.env.npm_config_nodedir) return [];
  const prefix = dirname(dirname(process.execPath));
  return existsSync(join(prefix, 'include', 'node', 'common.gypi')) ? [`--nodedir=${prefix}`] : [];
}

/** Runs node-gyp in native/ with `commands` (e.g. ['rebuild']); gives up on failure. */
function nodeGyp(gyp, commands) {
  const args = [gyp, ...commands, '-j', '2', ...nodedirArgs(), ...(verbose ? ['--verbose'] : [])];
  const result = spawnSync(process.execPath, args, {
    cwd: nativeDir,
    stdio: verbose ? 'inherit' : 'pipe',
    encoding: 'utf8',
    timeout: TIMEOUT_MS,
  });
  if (result.error) giveUp(`node-gyp could not run: ${result.error.message}`);
  if (result.status !== 0) {
    const lines = `${result.stderr ?? ''}\n${result.stdout ?? ''}`.split('\n').map((l) => l.trim());
    const firstError = lines.find((l) => /error/i.test(l) && !/^gyp ERR! (stack|System|command|cwd|node|node-gyp|not ok)/.test(l));
    giveUp(`node-gyp exited with ${result.status ?? result.signal}${firstError ? `: ${firstError.slice(0, 160)}` : ''}`);
  }
}

function main() {
  if (process.argv.includes('--clean-prebuilds')) {
    rmSync(prebuildsDir, { recursive: true, force: true });
    return;
  }
  if (process.env.CONVKIT_SKIP_NATIVE === '1' && !prebuild) {
    if (verbose) console.log('convkit: CONVKIT_SKIP_NATIVE=1; native build skipped');
    return;
  }
  const fromSource = prebuild || /^(true|1)$/.test(process.env.npm_config_build_from_source ?? '');
  if (!fromSource && existsSync(prebuilt)) {
    const loaded = tryLoad(prebuilt);
    if ('info' in loaded) {
      if (verbose) console.log(`convkit: using the prebuilt addon ${prebuilt}: ${loaded.info}`);
      return;
    }
    if (verbose) console.log(`convkit: the prebuilt addon does not load here (${loaded.error}); building from source`);
  }
  const gyp = findNodeGyp();
  if (!gyp) giveUp('node-gyp not found');
  const started = Date.now();
  // A prebuild reuses an up-to-date build (make tracks the sources and headers); an install builds afresh.
  nodeGyp(gyp, prebuild && existsSync(join(nativeDir, 'build', 'Makefile')) ? ['build'] : ['rebuild']);
  // Load it once in a child process: a binary that cannot load must not be left behind.
  const loaded = tryLoad(addon);
  if ('error' in loaded) {
    rmSync(addon, { force: true });
    giveUp(`the built addon does not load: ${loaded.error}`);
  }
  if (prebuild) {
    mkdirSync(dirname(prebuilt), { recursive: true });
    copyFileSync(addon, prebuilt);
    console.log(`convkit: prebuilt addon ${prebuilt.slice(root.length + 1)}: ${loaded.info}`);
  } else if (verbose) {
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(`convkit: native backend built in ${seconds}s: ${loaded.info}`);
  }
}

main();
