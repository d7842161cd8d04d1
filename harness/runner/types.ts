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
  /** Failures that do not fail the run (SHOULD/MAY without --strict). */
  warnings: number;
}

export interface RunResult {
  schemaVersion: 1;
  tool: { name: 'smtptest'; version: string; node: string };
  target: { name: string; host: string; port: number; description: string; capabilities: Capabilities };
  startedAt: string;
  durationMs: number;
  options: RunOptions;
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

/** Does this result fail the run? MUST failures always; the rest only with --strict. */
export function failsRun(r: ScenarioResult, strict: boolean): boolean {
  if (r.status === 'errored') return true;
  if (r.status !== 'failed') return false;
  return strict || r.level === 'MUST';
}
