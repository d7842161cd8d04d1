/**
 * The report's data model: plain JSON built from results only (several
 * conformance runs, load runs, a comparison), snapshot-tested, and rendered
 * to HTML by ./render.ts. Nothing here touches the file system or the clock
 * except `generatedAt`, which callers may pass in.
 */
import { failsRun, type RunResult, type ScenarioResult, type Status } from '../../harness/runner/types.ts';
import type { Level } from '../../harness/scenario/schema.ts';
import type { TranscriptEntry } from '../../harness/wire/connection.ts';
import { visible } from '../transcript.ts';
import type { CompareResult } from '../compare/types.ts';
import { rfcSection } from './rfc/index.ts';
import { buildLoadModel, type LoadModel } from './load-model.ts';
import type { LoadResult } from '../../harness/load/types.ts';

export const LEVELS: readonly Level[] = ['MUST', 'SHOULD', 'MAY'];
const STATUSES: readonly Status[] = ['passed', 'failed', 'errored', 'skipped'];

export type Counts = Record<Status, number> & { total: number; warnings: number };

export interface TargetColumn {
  /** Unique label for the column: the target's name, with a suffix when two runs share one. */
  label: string;
  name: string;
  host: string;
  port: number;
  description: string;
  startedAt: string;
  durationMs: number;
  profile: string;
  strict: boolean;
  verdict: 'pass' | 'fail';
  toolVersion: string;
  /** The run's own summary, as results.json has it. */
  summary: RunResult['summary'];
  byLevel: Record<Level, Counts>;
  /** EHLO keywords the target advertised. */
  keywords: string[];
  /** The same inside TLS (after STARTTLS), where discovery got them. */
  tlsKeywords?: string[];
  discoveryError?: string;
  /** The expectations file the run was judged by. */
  expectations?: string;
}

export interface TranscriptLine {
  dir: 'C' | 'S' | '*';
  atMs: number;
  /** One wire line with control octets made visible (`\r\n` shown). */
  text: string;
}

export interface Outcome {
  status: Status;
  /** failed and run-failing (MUST, or any level under --strict); a failed non-fatal scenario is a warning. */
  fatal: boolean;
  durationMs: number;
  failure?: { step: number; line: number; stepText: string; expected: string; actual: string; message: string };
  error?: { code: string; message: string; step: number };
  skipReason?: string;
  /** The target's expectations file documents this scenario as a deviation. */
  knownDeviation?: { status: Status; reason: string; knob?: string };
  /** With an expectations file: whether the outcome is what it documents. */
  asExpected?: boolean;
  transcript: TranscriptLine[];
  /** Entries left out to keep the file small. */
  transcriptOmitted: number;
}

export interface ScenarioRow {
  id: string;
  title: string;
  rfc: string;
  section: string;
  level: Level;
  /** Repository-relative when possible. */
  file: string;
  /** One per target column; null when that run did not include the scenario. */
  outcomes: (Outcome | null)[];
  /** Targets disagree on the status (only meaningful with two or more). */
  differs: boolean;
}

export interface SuiteGroup {
  name: string;
  counts: Counts[];
  scenarios: ScenarioRow[];
}

export interface SectionRef {
  rfc: string;
  section: string;
  url: string;
  title?: string;
  excerpt?: string;
}

export interface ConformanceModel {
  targets: TargetColumn[];
  suites: SuiteGroup[];
  /** Every RFC section the scenarios cite, keyed "5321 §4.1.1.1". */
  sections: Record<string, SectionRef>;
  /** Scenarios whose status differs between targets. */
  differing: number;
}

export interface ReportModel {
  schemaVersion: 1;
  title: string;
  generatedAt: string;
  conformance?: ConformanceModel;
  load: LoadModel[];
  comparison?: CompareResult;
}

export interface BuildOptions {
  title?: string;
  generatedAt?: string;
  /** File paths are shown relative to this directory. */
  cwd?: string;
  /** Transcript entries kept per outcome (the last ones). Default 200. */
  maxTranscript?: number;
  comparison?: CompareResult;
  /** Column labels for the conformance runs (default: target names). */
  labels?: string[];
  /** Labels for the load runs. */
  loadLabels?: string[];
}

/** Builds the report model from conformance runs, load runs and optionally a comparison. */
export function buildReportModel(runs: readonly RunResult[], loads: readonly LoadResult[] = [], opts: BuildOptions = {}): ReportModel {
  return {
    schemaVersion: 1,
    title: opts.title ?? defaultTitle(runs, loads),
    generatedAt: opts.generatedAt ?? new Date().toISOString(),
    ...(runs.length ? { conformance: buildConformance(runs, opts) } : {}),
    load: loads.map((l, i) => buildLoadModel(l, i, opts.loadLabels?.[i])),
    ...(opts.comparison ? { comparison: opts.comparison } : {}),
  };
}

function defaultTitle(runs: readonly RunResult[], loads: readonly LoadResult[]): string {
  const names = [...new Set([...runs.map((r) => r.target.name), ...loads.map((l) => l.target.name)])];
  return `smtptest report — ${names.join(', ') || 'no runs'}`;
}

export function emptyCounts(): Counts {
  return { total: 0, passed: 0, failed: 0, errored: 0, skipped: 0, warnings: 0 };
}

function count(into: Counts, r: ScenarioResult, strict: boolean): void {
  into.total++;
  into[r.status]++;
  if (r.status === 'failed' && !failsRun(r, strict)) into.warnings++;
}

export function buildConformance(runs: readonly RunResult[], opts: BuildOptions = {}): ConformanceModel {
  const targets = runs.map((run, i) => targetColumn(run, opts.labels?.[i] ?? labelFor(runs, i)));
  // Scenario order: suites in first-seen order, scenarios in first-seen order within them.
  const suites = new Map<string, Map<string, ScenarioRow>>();
  const sections: Record<string, SectionRef> = {};
  runs.forEach((run, col) => {
    for (const r of run.scenarios) {
      let group = suites.get(r.suite);
      if (!group) suites.set(r.suite, (group = new Map()));
      let row = group.get(r.id);
      if (!row) {
        row = { id: r.id, title: r.title, rfc: r.rfc, section: r.section, level: r.level, file: relative(r.file, opts.cwd), outcomes: runs.map(() => null), differs: false };
        group.set(r.id, row);
      }
      row.outcomes[col] = outcome(r, run.options.strict, opts.maxTranscript ?? 200);
      const key = sectionKey(r.rfc, r.section);
      sections[key] ??= { rfc: r.rfc, section: r.section, url: sectionUrl(r.rfc, r.section), ...rfcSection(r.rfc, r.section) };
    }
  });
  let differing = 0;
  const groups: SuiteGroup[] = [...suites].map(([name, rows]) => {
    const scenarios = [...rows.values()];
    for (const row of scenarios) {
      row.differs = runs.length > 1 && new Set(row.outcomes.map((o) => o?.status ?? 'absent')).size > 1;
      if (row.differs) differing++;
    }
    const counts = runs.map((run) => {
      const c = emptyCounts();
      for (const r of run.scenarios) if (r.suite === name) count(c, r, run.options.strict);
      return c;
    });
    return { name, counts, scenarios };
  });
  return { targets, suites: groups, sections, differing };
}

function labelFor(runs: readonly RunResult[], i: number): string {
  const name = runs[i]!.target.name;
  const same = runs.map((r, j) => [r.target.name, j] as const).filter(([n]) => n === name);
  return same.length > 1 ? `${name} #${same.findIndex(([, j]) => j === i) + 1}` : name;
}

function targetColumn(run: RunResult, label: string): TargetColumn {
  const byLevel = Object.fromEntries(LEVELS.map((l) => [l, emptyCounts()])) as Record<Level, Counts>;
  for (const r of run.scenarios) count(byLevel[r.level], r, run.options.strict);
  return {
    label,
    name: run.target.name,
    host: run.target.host,
    port: run.target.port,
    description: run.target.description,
    startedAt: run.startedAt,
    durationMs: run.durationMs,
    profile: run.options.profile,
    strict: run.options.strict,
    verdict: run.verdict,
    toolVersion: run.tool.version,
    summary: run.summary,
    byLevel,
    keywords: keywordList(run.target.capabilities.keywords),
    ...(run.target.capabilities.tlsKeywords ? { tlsKeywords: keywordList(run.target.capabilities.tlsKeywords) } : {}),
    ...(run.target.capabilities.error ? { discoveryError: run.target.capabilities.error } : {}),
    ...(run.expectations ? { expectations: run.expectations } : {}),
  };
}

const keywordList = (kw: Record<string, string[]>): string[] => Object.entries(kw).map(([k, v]) => (v.length ? `${k} ${v.join(' ')}` : k));

function outcome(r: ScenarioResult, strict: boolean, maxTranscript: number): Outcome {
  const lines = transcriptLines(r.transcript);
  const kept = lines.slice(Math.max(0, lines.length - maxTranscript));
  const base = {
    status: r.status,
    fatal: failsRun(r, strict),
    durationMs: r.durationMs,
    ...(r.knownDeviation ? { knownDeviation: { ...r.knownDeviation } } : {}),
    ...(r.asExpected !== undefined ? { asExpected: r.asExpected } : {}),
    transcript: kept,
    transcriptOmitted: lines.length - kept.length,
  };
  switch (r.status) {
    case 'failed':
      return { ...base, failure: { ...r.failure } };
    case 'errored':
      return { ...base, error: { ...r.error } };
    case 'skipped':
      return { ...base, skipReason: r.skipReason };
    case 'passed':
      return base;
  }
}

/** One line per wire line: a multi-line reply becomes several S lines at the same time. */
export function transcriptLines(entries: readonly TranscriptEntry[]): TranscriptLine[] {
  return entries.flatMap((e) => {
    if (e.dir === '*') return [{ dir: e.dir, atMs: e.atMs, text: e.text }];
    const parts = e.text.split(/(?<=\n)/).filter((p) => p.length > 0);
    return (parts.length ? parts : ['']).map((p) => ({ dir: e.dir, atMs: e.atMs, text: visible(p) }));
  });
}

export function sectionKey(rfc: string, section: string): string {
  return `${rfc} §${section}`;
}

export function sectionUrl(rfc: string, section: string): string {
  const base = `https://www.rfc-editor.org/rfc/rfc${encodeURIComponent(rfc)}.html`;
  return /^[0-9A-Z]+(\.[0-9]+)*$/.test(section) ? `${base}#section-${section}` : base;
}

function relative(file: string, cwd?: string): string {
  if (!cwd || !file.startsWith(cwd + '/')) return file;
  return file.slice(cwd.length + 1);
}

/** Status counts for display, in a fixed order. */
export function statusEntries(c: Counts): [Status, number][] {
  return STATUSES.map((s) => [s, c[s]]);
}
