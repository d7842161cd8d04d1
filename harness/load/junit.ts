/** --junit for load runs: one test case per --assert; a failed assertion is a <failure>. */
import fs from 'node:fs';
import path from 'node:path';
import junitModule, { type Builder } from 'junit-report-builder';
import type { LoadResult } from './types.ts';

// The package is CommonJS with `module.exports = builder`; its typings describe an ES default.
const junit = ((junitModule as { default?: unknown }).default ?? junitModule) as unknown as Builder;

export function buildLoadJUnit(r: LoadResult): string {
  const b = junit.newBuilder();
  const suite = b.testSuite().name('smtptest load').property('target', r.target.name).property('model', r.model).time(r.durationMs / 1000);
  for (const a of r.assertions) {
    const tc = suite.testCase().className('smtptest.load').name(a.expr);
    if (!a.passed) tc.failure(a.message, 'assertion');
    tc.standardOutput(a.message);
  }
  return b.build();
}

export function writeLoadJUnit(file: string, r: LoadResult): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  fs.writeFileSync(file, buildLoadJUnit(r));
}
