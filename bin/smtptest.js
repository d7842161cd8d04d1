#!/usr/bin/env node
// The smtptest command. It runs the bundle in dist/ (scripts/build.mjs; npm
// runs it on `npm ci`) while every source file it was built from is as it
// was, and otherwise the TypeScript sources through tsx's loader, which
// starts about twice as slowly. A file older than the build is taken as
// unchanged; a newer one (an edit, a checkout, an installed package's
// extraction) is compared by its hash. SMTPTEST_FROM_SOURCE=1 forces the
// sources.
import { createHash } from 'node:crypto';
import fs from 'node:fs';

const root = new URL('../', import.meta.url);

function bundleIsCurrent() {
  if (process.env.SMTPTEST_FROM_SOURCE) return false;
  try {
    const { builtAtMs, inputs } = JSON.parse(fs.readFileSync(new URL('dist/build.json', root), 'utf8'));
    return inputs.every(({ file, sha1 }) => {
      const url = new URL(file, root);
      return fs.statSync(url).mtimeMs <= builtAtMs || createHash('sha1').update(fs.readFileSync(url)).digest('hex') === sha1;
    });
  } catch {
    return false; // no build, an older build's manifest, or a source file gone
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
