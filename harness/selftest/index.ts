/**
 * runSelftest(): mutation testing of the catalogue. The scenarios run
 * against the mutant server in reference mode (every scenario must pass or be
 * skipped with a reason) and against the server with each fault switched on.
 * A fault is caught when at least one scenario fails on it; a scenario is
 * proven when at least one fault makes it fail at one of its own steps (for a
 * broad fault, one that breaks every session, only scenarios that drive the
 * greeting and EHLO themselves count). Unproven scenarios must be on
 * the exceptions list, with the reason.
 */
import { performance } from 'node:perf_hooks';
import pLimit from 'p-limit';
import { runSuites, findSuiteFiles, selectScenarios } from '../runner/index.ts';
import { loadSuites } from '../scenario/load.ts';
import type { Profile, RunResult, ScenarioResult } from '../runner/types.ts';
import { FAULTS, FAULT_NAMES, FaultSet, mutantTarget, type FaultName } from '../../targets/mutant/index.ts';
import type { FaultInfo } from '../../targets/mutant/faults.ts';
import { DEFAULT_EXCEPTIONS_FILE, loadExceptions } from './exceptions.ts';
import { slowestFirst } from './order.ts';

export interface SelftestOptions {
  /** As for runSuites: files, directories, names or globs. Default: every built-in suite. */
  suites?: string[];
  grep?: string;
  /** Faults to inject; default every fault. */
  faults?: FaultName[];
  profile?: Profile;
  /** Default 0.01: the mutant's 5-minute idle timeout and `{ timer: 5m }` waits become 3 s. */
  timeoutScale?: number;
  /** Default 1500 ms: loopback replies take milliseconds; a fault that stays silent costs this much. */
  replyTimeoutMs?: number;
  /** Server runs at once (each with its own scenarios in parallel). Default 6: the runs are mostly idle waits. */
  jobs?: number;
  /** Scenarios at once within one run. Default 24: they mostly wait on timers, not the CPU. */
  concurrency?: number;
  /** Default targets/mutant/exceptions.yaml. */
  exceptionsFile?: string;
  /** Called as each run (reference first, then faults) finishes. */
  onRun?(run: SelftestRun): void;
}

/** A scenario that did not pass, compactly. */
export interface Outcome {
  id: string;
  status: 'failed' | 'errored' | 'skipped';
  /** Failure message, error code and message, or skip reason. */
  detail: string;
  /** For a failure: the step that failed (-1: the prelude, greeting and EHLO). */
  step?: number;
}

export interface SelftestRun {
  /** undefined for the reference run. */
  fault?: FaultName;
  description: string;
  violates?: string;
  durationMs: number;
  passed: number;
  /** Scenarios that did not pass. */
  outcomes: Outcome[];
}

export interface FaultReport extends SelftestRun {
  fault: FaultName;
  violates: string;
  /** A broad fault breaks most sessions: it proves only scenarios that drive the greeting and EHLO themselves. */
  broad: boolean;
  /** At least one scenario failed on it (that the reference server does not fail). */
  caught: boolean;
  /**
   * Scenarios this fault proves able to fail: they fail at one of their own
   * steps (not in the prelude), the reference server does not fail them, and
   * the fault is narrow or they have prelude none or greeting.
   */
  killedBy: string[];
}

export interface SelftestResult {
  schemaVersion: 1;
  startedAt: string;
  durationMs: number;
  options: { suites: string[]; grep?: string; profile: Profile; timeoutScale: number; replyTimeoutMs: number; jobs: number; concurrency: number; exceptionsFile: string };
  scenarioIds: string[];
  reference: SelftestRun;
  faults: FaultReport[];
  score: { caught: number; injected: number };
  uncaught: FaultName[];
  /** Scenario id → the faults that make it fail. */
  provenBy: Record<string, FaultName[]>;
  unproven: { id: string; excepted?: string }[];
  /** Exceptions-list entries for scenarios that are proven after all, or that do not exist. */
  staleExceptions: string[];
  verdict: 'pass' | 'fail';
  /** Why the verdict is fail, one line each. */
  problems: string[];
}

function summariseRun(result: RunResult, fault: FaultName | undefined): SelftestRun {
  const outcomes: Outcome[] = result.scenarios
    .filter((r) => r.status !== 'passed')
    .map((r) => ({ id: r.id, status: r.status as Outcome['status'], detail: detail(r), ...(r.status === 'failed' ? { step: r.failure.step } : {}) }));
  return {
    fault,
    description: fault ? FAULTS[fault].description : 'reference mode: no faults',
    violates: fault ? FAULTS[fault].violates : undefined,
    durationMs: result.durationMs,
    passed: result.summary.passed,
    outcomes,
  };
}

function detail(r: ScenarioResult): string {
  switch (r.status) {
    case 'failed':
      return `step ${r.failure.step + 1}${r.failure.line ? ` (line ${r.failure.line})` : ''}: ${r.failure.message}; expected ${r.failure.expected}, got ${r.failure.actual}`;
    case 'errored':
      return `${r.error.code}: ${r.error.message}`;
    case 'skipped':
      return r.skipReason;
    case 'passed':
      return '';
  }
}

export async function runSelftest(opts: SelftestOptions = {}): Promise<SelftestResult> {
  const t0 = performance.now();
  const startedAt = new Date().toISOString();
  const timeoutScale = opts.timeoutScale ?? 0.01;
  const suites = await loadSuites(findSuiteFiles(opts.suites));
  const suiteFiles = slowestFirst(suites, timeoutScale);
  const selected = selectScenarios(suites, opts.grep);
  const scenarioIds = selected.map((s) => s.id);
  /** Scenarios that send the greeting/EHLO themselves rather than in the prelude. */
  const ownsSessionStart = new Set(selected.filter((s) => s.prelude === 'none' || s.prelude === 'greeting').map((s) => s.id));
  const exceptionsFile = opts.exceptionsFile ?? DEFAULT_EXCEPTIONS_FILE;
  const exceptions = loadExceptions(exceptionsFile);
  const options = {
    suites: suiteFiles,
    grep: opts.grep,
    profile: opts.profile ?? 'strict',
    timeoutScale,
    replyTimeoutMs: opts.replyTimeoutMs ?? 1500,
    jobs: Math.max(1, opts.jobs ?? 6),
    concurrency: Math.max(1, opts.concurrency ?? 24),
    exceptionsFile,
  } satisfies SelftestResult['options'];
  const faults = opts.faults ?? FAULT_NAMES;

  const runOne = async (fault: FaultName | undefined): Promise<SelftestRun> => {
    const started = await mutantTarget(new FaultSet(fault ? [fault] : [])).start({ timeoutScale: options.timeoutScale });
    try {
      const result = await runSuites({
        target: started,
        suites: suiteFiles,
        grep: opts.grep,
        profile: options.profile,
        timeoutScale: options.timeoutScale,
        replyTimeoutMs: options.replyTimeoutMs,
        concurrency: options.concurrency,
        expectations: false,
      });
      const run = summariseRun(result, fault);
      opts.onRun?.(run);
      return run;
    } finally {
      await started.stop();
    }
  };

  // The reference run goes alongside the fault runs: one pool, `jobs` servers at once.
  const limit = pLimit(options.jobs);
  const [reference, ...faultRuns] = await Promise.all([limit(() => runOne(undefined)), ...faults.map((f) => limit(() => runOne(f)))]);
  // A kill counts unless the reference itself fails or errors the scenario (a failure there says
  // nothing about the fault). Skipped on the reference and failed on a fault counts: e.g. a
  // keyword only the faulty server advertises.
  const refBroken = new Set(reference!.outcomes.filter((o) => o.status !== 'skipped').map((o) => o.id));

  const provenBy: Record<string, FaultName[]> = Object.fromEntries(scenarioIds.map((id) => [id, [] as FaultName[]]));
  const reports: FaultReport[] = faultRuns.map((run) => {
    const fault = run.fault!;
    const info: FaultInfo = FAULTS[fault];
    const broad = info.broad === true;
    const failed = run.outcomes.filter((o) => o.status === 'failed' && !refBroken.has(o.id));
    // A failure in the prelude proves nothing about the scenario; nor does a broad fault's, unless
    // the scenario drives the greeting and EHLO itself (then that is what it is about).
    const killedBy = failed.filter((o) => (o.step ?? -1) >= 0 && (!broad || ownsSessionStart.has(o.id))).map((o) => o.id);
    for (const id of killedBy) provenBy[id]?.push(fault);
    return { ...run, fault, violates: info.violates, broad, caught: failed.length > 0, killedBy };
  });

  const excepted = new Map(exceptions.map((e) => [e.id, e.reason]));
  const unproven = scenarioIds.filter((id) => provenBy[id]!.length === 0).map((id) => ({ id, excepted: excepted.get(id) }));
  // Stale: proven after all, or naming no scenario of a full run (a filtered run cannot tell).
  const fullRun = !opts.grep && !opts.suites;
  const staleExceptions = exceptions.filter((e) => (scenarioIds.includes(e.id) ? provenBy[e.id]!.length > 0 : fullRun)).map((e) => e.id);
  const uncaught = reports.filter((r) => !r.caught).map((r) => r.fault);

  const problems: string[] = [];
  for (const o of reference!.outcomes) {
    if (o.status !== 'skipped') problems.push(`reference server: ${o.id} ${o.status}: ${o.detail}`);
  }
  for (const f of uncaught) problems.push(`fault ${f} is not caught by any scenario`);
  for (const u of unproven) if (!u.excepted) problems.push(`scenario ${u.id} fails on no fault and is not on the exceptions list`);

  return {
    schemaVersion: 1,
    startedAt,
    durationMs: Math.round(performance.now() - t0),
    options,
    scenarioIds,
    reference: reference!,
    faults: reports,
    score: { caught: reports.length - uncaught.length, injected: reports.length },
    uncaught,
    provenBy,
    unproven,
    staleExceptions,
    verdict: problems.length ? 'fail' : 'pass',
    problems,
  };
}
