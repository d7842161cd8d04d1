/**
 * Results: a union keyed on status (after vitest). Reports see only these,
 * never sockets. `RunResult` is the results.json contract: additive changes
 * only, and bump `schemaVersion` on anything else.
 */
import type { TranscriptEntry } from '../wire/connection.ts';
import type { Level, LoadedScenario, Suite } from '../scenario/schema.ts';

export type Status = 'passed' | 'failed' | 'errored' | 'skipped';
export type Profile = 'strict' | 'lenient';

export interface StepFailure {
  /** 0-based index of the step; -1 for the prelude (greeting/EHLO). */
  step: number;
  /** 1-based line of the step in the suite file (0 when unknown). */
  line: number;
  /** The step as written, compactly. */
  stepText: string;
  expected: string;
  actual: string;
  message: string;
}

interface ResultBase {
  id: string;
  title: string;
  suite: string;
  file: string;
  rfc: string;
  section: string;
  level: Level;
  durationMs: number;
  transcript: TranscriptEntry[];
  /** Set when the target has an expectations file that documents this scenario as a known deviation. */
  knownDeviation?: { status: Status; reason: string; knob?: string };
  /** With an expectations file: false when the outcome differs from what it documents. */
  asExpected?: boolean;
}

export type ScenarioResult =
  | (ResultBase & { status: 'passed' })
  | (ResultBase & { status: 'failed'; failure: StepFailure })
  | (ResultBase & { status: 'errored'; error: { code: string; message: string; step: number } })
  | (ResultBase & { status: 'skipped'; skipReason: string });

/** What discovery learned from one greeting + EHLO. */
export interface Capabilities {
  greeting?: string;
  /** EHLO keyword (upper case) → its parameters. */
  keywords: Record<string, string[]>;
  /** The same after STARTTLS and a new EHLO, where STARTTLS is advertised and worked. */
  tlsKeywords?: Record<string, string[]>;
  /** Why there are no tlsKeywords although STARTTLS is advertised. */
  tlsError?: string;
  /** Why discovery failed, if it did. */
  error?: string;
}

export interface RunOptions {
  profile: Profile;
  strict: boolean;
  timeoutScale: number;
  replyTimeoutMs: number;
  concurrency: number;
}

export interface RunSummary {
  total: number;
  passed: number;
  failed: number;
  errored: number;
  skipped: number;
  /** Failures that do not fail the run (SHOULD/MAY without --strict, or documented deviations). */
  warnings: number;
  /** Failures and errors documented in the target's expectations file. */
  knownDeviations: number;
  /** Outcomes that differ from the expectations file (new failures, or deviations that now pass). */
  unexpected: number;
}

export interface RunResult {
  schemaVersion: 1;
  tool: { name: 'smtptest'; version: string; node: string };
  target: { name: string; host: string; port: number; description: string; capabilities: Capabilities };
  startedAt: string;
  durationMs: number;
  options: RunOptions;
  /** The expectations file applied, if any. */
  expectations?: string;
  summary: RunSummary;
  /** 'pass' when no MUST scenario (any, with --strict) failed or errored. */
  verdict: 'pass' | 'fail';
  scenarios: ScenarioResult[];
}

/** Reporters are sets of optional awaitable hooks. */
export interface Reporter {
  onRunStart?(info: { suites: Suite[]; scenarios: LoadedScenario[]; target: RunResult['target']; options: RunOptions }): void | Promise<void>;
  onScenarioStart?(scenario: LoadedScenario): void | Promise<void>;
  onScenarioEnd?(result: ScenarioResult): void | Promise<void>;
  onRunEnd?(result: RunResult): void | Promise<void>;
}

/**
 * Does this result fail the run? Errors and MUST failures always; SHOULD and
 * MAY failures only with --strict. With an expectations file, a documented
 * deviation that recurs does not, and one that no longer occurs does (the
 * file is out of date: that change is news).
 */
export function failsRun(r: ScenarioResult, strict: boolean): boolean {
  if (r.knownDeviation && r.asExpected) return false;
  if (r.asExpected === false && (r.status === 'passed' || r.status === 'skipped')) return true;
  if (r.status === 'errored') return true;
  if (r.status !== 'failed') return false;
  return strict || r.level === 'MUST';
}
