#!/usr/bin/env node
// The smtptest command. It runs the bundle in dist/ (scripts/build.mjs; npm
// runs it on `npm ci`) when the bundle is at least as new as every source
// file it was built from, and otherwise the TypeScript sources through tsx's
// loader, which starts about twice as slowly. SMTPTEST_FROM_SOURCE=1 forces
// the sources.
import fs from 'node:fs';

const root = new URL('../', import.meta.url);

function bundleIsCurrent() {
  if (process.env.SMTPTEST_FROM_SOURCE) return false;
  try {
    const { builtAtMs, inputs } = JSON.parse(fs.readFileSync(new URL('dist/build.json', root), 'utf8'));
    return inputs.every((f) => fs.statSync(new URL(f, root)).mtimeMs <= builtAtMs);
  } catch {
    return false; // no build, or a source file gone
  }
}

let main;
if (bundleIsCurrent()) {
  ({ main } = await import(new URL('dist/smtptest.js', root)));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../harness/cli/index.ts'));
}
process.exitCode = await main(process.argv.slice(2));
