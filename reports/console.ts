/** Console: a line per scenario as it ends, then failures in detail and a summary. */
import path from 'node:path';
import type { Reporter, RunResult, ScenarioResult } from '../harness/runner/types.ts';
import { failsRun } from '../harness/runner/types.ts';
import { formatTranscript } from './transcript.ts';

export interface ConsoleOptions {
  write?: (s: string) => void;
  color?: boolean;
  /** Print transcripts of failures (default true). */
  transcripts?: boolean;
}

export function consoleReporter(opts: ConsoleOptions = {}): Reporter {
  const write = opts.write ?? ((s: string) => process.stdout.write(s));
  const color = opts.color ?? (process.stdout.isTTY === true && !process.env.NO_COLOR);
  const paint = (code: number, s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  let strict = false;
  const mark = (r: ScenarioResult): string => {
    if (r.asExpected === false && (r.status === 'passed' || r.status === 'skipped')) return paint(31, 'FIXED');
    if (r.knownDeviation && r.asExpected) return paint(33, 'known');
    switch (r.status) {
      case 'passed':
        return paint(32, 'pass ');
      case 'failed':
        return failsRun(r, strict) ? paint(31, 'FAIL ') : paint(33, 'warn ');
      case 'errored':
        return paint(35, 'ERROR');
      case 'skipped':
        return paint(90, 'skip ');
    }
  };
  return {
    onRunStart({ scenarios, target, options }) {
      strict = options.strict;
      write(`smtptest: ${scenarios.length} scenarios against ${target.name} (${target.description})\n`);
      if (target.capabilities.error) write(paint(33, `  EHLO discovery: ${target.capabilities.error}\n`));
    },
    onScenarioEnd(r) {
      const why =
        r.asExpected === false && r.knownDeviation
          ? ` (documented as ${r.knownDeviation.status}, now ${r.status}: update the expectations file)`
          : r.knownDeviation
            ? paint(90, ` (known deviation: ${r.knownDeviation.reason})`)
            : r.status === 'skipped'
              ? paint(90, ` (${r.skipReason})`)
              : r.status === 'errored'
                ? ` (${r.error.code})`
                : '';
      write(`${mark(r)} ${r.level.padEnd(6)} ${r.id}  ${r.title}${why}\n`);
    },
    onRunEnd(run: RunResult) {
      const bad = run.scenarios.filter((r) => (r.status === 'failed' || r.status === 'errored') && !(r.knownDeviation && r.asExpected));
      for (const r of bad) {
        write(`\n${mark(r)} ${r.id} (RFC ${r.rfc} §${r.section}, ${r.level}): ${r.title}\n`);
        if (r.status === 'failed') {
          const f = r.failure;
          const where = f.line ? `${path.relative(process.cwd(), r.file)}:${f.line}` : r.file;
          write(`  at ${where}  ${f.stepText}\n  expected: ${f.expected}\n  actual:   ${f.actual}\n`);
        } else if (r.status === 'errored') {
          write(`  ${r.error.code}: ${r.error.message}\n`);
        }
        if (opts.transcripts !== false && r.transcript.length) {
          write(formatTranscript(r.transcript.slice(-30), 160).replace(/^/gm, '    ') + '\n');
        }
      }
      const s = run.summary;
      const expectations = run.expectations ? `; ${s.knownDeviations} known deviations, ${s.unexpected} unexpected (${run.expectations})` : '';
      write(
        `\n${s.passed} passed, ${s.failed} failed (${s.warnings} warnings), ${s.errored} errored, ${s.skipped} skipped${expectations}` +
          ` in ${(run.durationMs / 1000).toFixed(1)} s — ${run.verdict === 'pass' ? paint(32, 'PASS') : paint(31, 'FAIL')}\n`,
      );
    },
  };
}
