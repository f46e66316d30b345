// Builds the native addon (native/build/Release/convkit.node) with node-gyp; run by
// `npm install` and `npm run build:native` (which passes --verbose).
//
// The install never fails because of this script: if the build cannot run or fails (no
// compiler, unsupported platform, no node headers) it prints one warning line and exits 0, and
// Convkit falls back to its TypeScript backend. CONVKIT_SKIP_NATIVE=1 skips the build.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const nativeDir = join(root, 'native');
const addon = join(nativeDir, 'build', 'Release', 'convkit.node');
const verbose = process.argv.includes('--verbose');
const TIMEOUT_MS = 10 * 60 * 1000;

function giveUp(reason) {
  console.warn(`convkit: native backend not built (${reason}); falling back to the TypeScript backend`);
  process.exit(0);
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

function main() {
  if (process.env.CONVKIT_SKIP_NATIVE === '1') {
    if (verbose) console.log('convkit: CONVKIT_SKIP_NATIVE=1; native build skipped');
    return;
  }
  const gyp = findNodeGyp();
  if (!gyp) giveUp('node-gyp not found');
  const args = [gyp, 'rebuild', '-j', '2', ...nodedirArgs(), ...(verbose ? ['--verbose'] : [])];
  const started = Date.now();
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
  // Load it once in a child process: a binary that cannot load must not be left behind.
  const check = spawnSync(process.execPath, ['-e', `console.log(JSON.stringify(require(${JSON.stringify(addon)}).info()))`], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (check.status !== 0) {
    rmSync(addon, { force: true });
    giveUp(`the built addon does not load: ${(check.stderr || String(check.signal)).trim().split('\n')[0]}`);
  }
  if (verbose) {
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(`convkit: native backend built in ${seconds}s: ${check.stdout.trim()}`);
  }
}

main();
