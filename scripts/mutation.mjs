#!/usr/bin/env node
/**
 * Targeted mutation testing (`npm run mutation`; slow, so not in CI).
 *
 * Each mutation is one small deliberate bug: a text replacement in the compiled JavaScript of a
 * file under src/ (build/src/…/x.js, after `tsc`, so no rebuild per mutant). After applying it,
 * the test files that should notice run with node's test runner; a failing run kills the mutant.
 * Every mutant runs twice: with the native addon (the default backend) and without it
 * (CONVKIT_BACKEND=ts and CONVKIT_NATIVE_ADDON pointing at nothing, so parity suites skip). The
 * original file is always restored. Prints the score per folder and mode and lists survivors;
 * mutants known to be equivalent (no test can tell them apart) are listed with the reason.
 *
 * Usage: node scripts/mutation.mjs [--mode native|ts] [--only id,id] [--list]
 * Exit status: 1 if any mutant the list does not call equivalent survives, or a snippet is missing.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MUTATIONS } from './mutations.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const only = opt('--only')?.split(',');
const modes = opt('--mode') ? [opt('--mode')] : ['native', 'ts'];
const selected = MUTATIONS.filter((m) => !only || only.includes(m.id));

if (args.includes('--list')) {
  for (const m of MUTATIONS) console.log(`${m.id.padEnd(5)} ${m.file.padEnd(40)} ${m.what}`);
  process.exit(0);
}

const compiled = (src) => join(root, 'build', src.replace(/\.ts$/, '.js'));
const testFile = (t) => join(root, 'build', t.replace(/\.ts$/, '.js'));
const folderOf = (src) => dirname(src);

const ENV = {
  native: { ...process.env, CONVKIT_BACKEND: '' },
  ts: { ...process.env, CONVKIT_BACKEND: 'ts', CONVKIT_NATIVE_ADDON: join(root, 'no-addon-here.node') },
};

/** Runs the test files; true when they all pass. */
function testsPass(tests, mode) {
  const r = spawnSync(process.execPath, ['--test', '--test-reporter=dot', ...tests.map(testFile)], {
    env: ENV[mode],
    encoding: 'utf8',
    timeout: 180_000,
  });
  return r.status === 0;
}

/** Applies the mutation to the compiled file, runs `body`, restores the file. */
function withMutant(m, body) {
  const path = compiled(m.file);
  const original = readFileSync(path, 'utf8');
  const count = original.split(m.find).length - 1;
  if (count === 0 || (count > 1 && !m.all)) {
    throw new Error(`${m.id}: '${m.find}' occurs ${count} times in ${path}; expected once${m.all ? ' or more' : ''}`);
  }
  writeFileSync(path, original.split(m.find).join(m.replace));
  const restore = () => writeFileSync(path, original);
  process.once('SIGINT', restore);
  try {
    return body();
  } finally {
    restore();
    process.removeListener('SIGINT', restore);
  }
}

// The unmutated tests must pass first, or every mutant would look killed.
const allTests = [...new Set(selected.flatMap((m) => m.tests))];
for (const mode of modes) {
  if (!testsPass(allTests, mode)) {
    console.error(`mutation: the unmutated tests fail in mode ${mode}; fix them first (${allTests.join(' ')})`);
    process.exit(2);
  }
}

const results = [];
for (const m of selected) {
  const outcome = {};
  for (const mode of modes) {
    const started = Date.now();
    outcome[mode] = withMutant(m, () => !testsPass(m.tests, mode));
    process.stdout.write(
      `${m.id.padEnd(5)} ${mode.padEnd(6)} ${outcome[mode] ? 'killed  ' : 'SURVIVED'} ${((Date.now() - started) / 1000).toFixed(1)}s  ${m.what}\n`,
    );
  }
  results.push({ m, outcome });
}

// Score per folder and mode: killed / (mutants − equivalent ones).
console.log('\nfolder                 mode    killed / scored  (equivalent)  score');
const folders = [...new Set(results.map((r) => folderOf(r.m.file)))].sort();
for (const folder of [...folders, 'all']) {
  for (const mode of modes) {
    const rs = results.filter((r) => folder === 'all' || folderOf(r.m.file) === folder);
    const scored = rs.filter((r) => !r.m.equivalent);
    const killed = scored.filter((r) => r.outcome[mode]).length;
    const eq = rs.length - scored.length;
    const pct = scored.length ? ((100 * killed) / scored.length).toFixed(0) : '-';
    console.log(
      `${folder.padEnd(22)} ${mode.padEnd(7)} ${String(killed).padStart(6)} / ${String(scored.length).padEnd(6)}  (${eq})${' '.repeat(12)}${pct}%`,
    );
  }
}

const issue = results.filter((r) => r.m.issue);
const issueMissed = issue.filter((r) => modes.some((mode) => !r.outcome[mode]));
console.log(`\nissue 16's mutations caught in every mode: ${issue.length - issueMissed.length} / ${issue.length}`);

const survivors = results.filter((r) => !r.m.equivalent && modes.some((mode) => !r.outcome[mode]));
console.log(`\nsurvivors (${survivors.length}):`);
for (const r of survivors) {
  const where = modes.filter((mode) => !r.outcome[mode]).join(', ');
  console.log(`  ${r.m.id} [${where}] ${r.m.file}: ${r.m.what}`);
}
const equivalent = results.filter((r) => r.m.equivalent);
if (equivalent.length) {
  console.log(`\nequivalent mutants (${equivalent.length}), listed with the reason no test can kill them:`);
  for (const r of equivalent) {
    const killedIn = modes.filter((mode) => r.outcome[mode]);
    const note = killedIn.length ? ` (yet killed in ${killedIn.join(', ')}: review the reason)` : '';
    console.log(`  ${r.m.id} ${r.m.file}: ${r.m.what}\n      ${r.m.equivalent}${note}`);
  }
}
process.exit(survivors.length > 0 ? 1 : 0);
