/** Comparing two conformance runs: which scenarios changed outcome, new failures first. */
import type { RunResult, ScenarioResult } from '../../harness/runner/types.ts';
import type { ConformanceComparison, ConformanceThresholds, RunRef, ScenarioChange, ScenarioChangeKind } from './types.ts';

/** How bad an outcome is, independent of any expectations file's "changed in either direction" rule. */
type Severity = 'ok' | 'documented' | 'warning' | 'fatal';

function severity(r: ScenarioResult, strict: boolean): Severity {
  if (r.status !== 'failed' && r.status !== 'errored') return 'ok';
  if (r.knownDeviation && r.asExpected) return 'documented';
  if (r.status === 'errored' || strict || r.level === 'MUST') return 'fatal';
  return 'warning';
}

function detail(r: ScenarioResult): string | undefined {
  if (r.status === 'failed') return `${r.failure.message}: expected ${r.failure.expected}, got ${r.failure.actual}`;
  if (r.status === 'errored') return `${r.error.code}: ${r.error.message}`;
  if (r.status === 'skipped') return r.skipReason;
  return undefined;
}

const ORDER: Record<ScenarioChangeKind, number> = { 'new-failure': 0, 'new-warning': 1, changed: 2, added: 3, removed: 4, fixed: 5 };
const LEVEL_ORDER = { MUST: 0, SHOULD: 1, MAY: 2 } as const;

export const DEFAULT_CONFORMANCE_THRESHOLDS: ConformanceThresholds = { allowNewFailures: 0, strict: false };

export function compareConformance(
  base: RunResult,
  current: RunResult,
  thresholds: Partial<ConformanceThresholds> = {},
  files: { base?: string; current?: string } = {},
): ConformanceComparison {
  const t = { ...DEFAULT_CONFORMANCE_THRESHOLDS, ...thresholds };
  const before = new Map(base.scenarios.map((r) => [r.id, r]));
  const after = new Map(current.scenarios.map((r) => [r.id, r]));
  const changes: ScenarioChange[] = [];
  let unchanged = 0;
  const ids = [...new Set([...base.scenarios.map((r) => r.id), ...current.scenarios.map((r) => r.id)])];
  for (const id of ids) {
    const b = before.get(id);
    const c = after.get(id);
    const meta = (c ?? b)!;
    const row = (kind: ScenarioChangeKind, regression: boolean): ScenarioChange => {
      const d = c ? detail(c) : undefined;
      return {
        id,
        title: meta.title,
        suite: meta.suite,
        level: meta.level,
        rfc: meta.rfc,
        section: meta.section,
        base: b?.status ?? null,
        current: c?.status ?? null,
        kind,
        regression,
        ...(d ? { detail: c?.knownDeviation && c.asExpected ? `${d} (documented deviation: ${c.knownDeviation.reason})` : d } : {}),
      };
    };
    if (!b) {
      changes.push(row('added', false));
      continue;
    }
    if (!c) {
      changes.push(row('removed', false));
      continue;
    }
    if (b.status === c.status) {
      unchanged++;
      continue;
    }
    const sb = severity(b, base.options.strict);
    const sc = severity(c, current.options.strict);
    if (sb === 'ok' && sc === 'fatal') changes.push(row('new-failure', true));
    else if (sb === 'ok' && sc !== 'ok') changes.push(row('new-warning', t.strict));
    else if (sc === 'ok' && c.status === 'passed') changes.push(row('fixed', false));
    else changes.push(row('changed', sc === 'fatal' && sb !== 'fatal'));
  }
  changes.sort((x, y) => ORDER[x.kind] - ORDER[y.kind] || Number(y.regression) - Number(x.regression) || LEVEL_ORDER[x.level] - LEVEL_ORDER[y.level] || x.id.localeCompare(y.id));
  const regressions = changes.filter((ch) => ch.regression).length;
  return {
    kind: 'conformance',
    base: { ...ref(base, files.base), summary: pickSummary(base), verdict: base.verdict },
    current: { ...ref(current, files.current), summary: pickSummary(current), verdict: current.verdict },
    thresholds: t,
    changes,
    unchanged,
    regressions,
    verdict: regressions > t.allowNewFailures ? 'regressed' : 'pass',
  };
}

function ref(run: RunResult, file?: string): RunRef {
  return { ...(file ? { file } : {}), target: run.target.name, description: run.target.description, startedAt: run.startedAt };
}

function pickSummary(run: RunResult) {
  const { total, passed, failed, errored, skipped } = run.summary;
  return { total, passed, failed, errored, skipped };
}
