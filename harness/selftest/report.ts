/** The selftest's console report: reference result, fault matrix, score, unproven scenarios. */
import type { SelftestResult, SelftestRun } from './index.ts';

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** One line as a run finishes (progress). */
export function runLine(run: SelftestRun, scenarios: number): string {
  const failed = run.outcomes.filter((o) => o.status === 'failed').length;
  const errored = run.outcomes.filter((o) => o.status === 'errored').length;
  const name = run.fault ?? '(reference)';
  return `  ${name.padEnd(28)} ${String(failed).padStart(3)} failed ${errored ? `${errored} errored ` : ''}of ${scenarios}  ${secs(run.durationMs)}\n`;
}

export function selftestText(r: SelftestResult, opts: { verbose?: boolean } = {}): string {
  const out: string[] = [];
  const n = r.scenarioIds.length;
  const ref = r.reference;
  const skipped = ref.outcomes.filter((o) => o.status === 'skipped');
  const bad = ref.outcomes.filter((o) => o.status !== 'skipped');
  out.push(`Reference server (mutant, no faults): ${ref.passed} passed, ${skipped.length} skipped, ${bad.length} failed or errored, of ${n} scenarios`);
  for (const o of bad) out.push(`  ✗ ${o.id} ${o.status}: ${o.detail}`);
  for (const o of skipped) out.push(`  - ${o.id} skipped: ${o.detail}`);
  out.push('');
  out.push(`Faults (${r.faults.length}): scenarios that fail on each`);
  const width = Math.max(10, ...r.faults.map((f) => f.fault.length));
  for (const f of r.faults) {
    const ids = f.killedBy.length > 8 && !opts.verbose ? [...f.killedBy.slice(0, 8), `… +${f.killedBy.length - 8}`] : f.killedBy;
    const failed = f.outcomes.filter((o) => o.status === 'failed').length;
    const what = !f.caught
      ? `UNCAUGHT (${f.violates}: ${f.description})`
      : f.broad
        ? `(broad: ${failed} fail; proves only those that drive greeting/EHLO) ${ids.join(' ')}`
        : ids.join(' ');
    out.push(`  ${f.caught ? '✓' : '✗'} ${f.fault.padEnd(width)} ${String(f.killedBy.length).padStart(3)}  ${what}`);
  }
  out.push('');
  const pct = r.score.injected ? ((100 * r.score.caught) / r.score.injected).toFixed(1) : '0';
  out.push(`Mutation score: ${r.score.caught}/${r.score.injected} faults caught (${pct}%)`);
  const proven = n - r.unproven.length;
  out.push(`Scenarios proven able to fail: ${proven}/${n}`);
  if (r.unproven.length) {
    out.push(`Unproven (no fault makes them fail): ${r.unproven.length}`);
    for (const u of r.unproven) out.push(`  ${u.excepted ? '-' : '✗'} ${u.id}${u.excepted ? ` (excepted: ${u.excepted})` : '  NOT ON THE EXCEPTIONS LIST'}`);
  }
  if (r.staleExceptions.length) out.push(`Stale exceptions (proven now, or no such scenario): ${r.staleExceptions.join(', ')}`);
  out.push(`Wall time: ${secs(r.durationMs)} (${r.faults.length + 1} server runs, ${r.options.jobs} at once, timeout scale ${r.options.timeoutScale})`);
  out.push(r.verdict === 'pass' ? 'Selftest passed.' : `Selftest FAILED: ${r.problems.length} problem(s).`);
  return out.join('\n') + '\n';
}
