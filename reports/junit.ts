/**
 * JUnit XML via junit-report-builder: a testsuite per suite file, a testcase
 * per scenario. The server not conforming is a <failure>; the harness not
 * being able to run is an <error> (after hurl); skipped scenarios carry
 * their reason in a property and in system-out.
 */
import fs from 'node:fs';
import path from 'node:path';
import junitModule, { type Builder } from 'junit-report-builder';
import type { Reporter, RunResult, ScenarioResult } from '../harness/runner/types.ts';
import { formatTranscript } from './transcript.ts';

// The package is CommonJS with `module.exports = builder`; its typings describe an ES default.
const junit = ((junitModule as { default?: unknown }).default ?? junitModule) as unknown as Builder;

export function buildJUnit(run: RunResult): string {
  const b = junit.newBuilder();
  const bySuite = new Map<string, ScenarioResult[]>();
  for (const r of run.scenarios) bySuite.set(r.suite, [...(bySuite.get(r.suite) ?? []), r]);
  for (const [name, results] of bySuite) {
    const suite = b.testSuite().name(name).property('target', run.target.name).property('profile', run.options.profile);
    for (const r of results) {
      const tc = suite
        .testCase()
        .className(`smtptest.${r.suite}`)
        .name(`${r.id}: ${r.title}`)
        .file(r.file)
        .time(r.durationMs / 1000)
        .property('rfc', `RFC ${r.rfc} §${r.section}`)
        .property('level', r.level);
      let out = '';
      if (r.knownDeviation) tc.property('knownDeviation', `${r.knownDeviation.status}: ${r.knownDeviation.reason}`);
      if (r.knownDeviation && r.asExpected) {
        // Documented and unchanged: not a CI failure, and not hidden either.
        tc.skipped();
        out = `known deviation (${r.knownDeviation.status}): ${r.knownDeviation.reason}\n`;
        if (r.status === 'failed') out += `expected: ${r.failure.expected}\nactual:   ${r.failure.actual}\n\n`;
        if (r.transcript.length) out += formatTranscript(r.transcript);
        tc.standardOutput(out);
        continue;
      }
      if (r.asExpected === false && (r.status === 'passed' || r.status === 'skipped')) {
        tc.failure(`documented as ${r.knownDeviation?.status ?? 'passing'} but now ${r.status}: update the expectations file`, 'expectation-changed');
      }
      switch (r.status) {
        case 'failed': {
          const f = r.failure;
          const where = f.line ? `${path.relative(process.cwd(), r.file)}:${f.line}` : f.stepText;
          tc.failure(`${f.message} at ${where}: expected ${f.expected}, got ${f.actual}`, r.level === 'MUST' ? 'conformance' : `conformance-${r.level.toLowerCase()}`);
          out = `step ${f.step}: ${f.stepText}\nexpected: ${f.expected}\nactual:   ${f.actual}\n\n`;
          break;
        }
        case 'errored':
          tc.error(r.error.message, r.error.code);
          break;
        case 'skipped':
          tc.skipped().property('skipReason', r.skipReason);
          out = `skipped: ${r.skipReason}\n`;
          break;
        case 'passed':
          break;
      }
      if (r.transcript.length) out += formatTranscript(r.transcript);
      if (out) tc.standardOutput(out);
    }
  }
  return b.build();
}

export function junitReporter(file: string): Reporter {
  return {
    onRunEnd(run) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, buildJUnit(run));
    },
  };
}
