#!/usr/bin/env node
// The `convkit` command. The TypeScript is compiled to build/ by `npm install` (the prepare script).
import { existsSync } from 'node:fs';

const entry = new URL('../build/src/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  console.error('convkit: the compiled code is missing (build/); run `npm install` or `npm run build` in the package folder');
  process.exit(1);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
