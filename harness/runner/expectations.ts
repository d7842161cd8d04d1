/**
 * Per-target expectations: the scenarios where a known server knowingly
 * deviates, with the reason and (for a policy choice) the config knob. A run
 * against that server is green when its behaviour matches the file and red
 * when it changes, in either direction: a new failure, or a documented
 * deviation that now passes (update the file, it is a release note).
 */
import fs from 'node:fs';
import { LineCounter, parseDocument, stringify } from 'yaml';
import { z } from 'zod';
import { ScenarioFileError } from '../scenario/load.ts';
import type { ScenarioResult, Status } from './types.ts';

export const ExpectationEntrySchema = z.strictObject({
  id: z.string(),
  status: z.enum(['failed', 'errored', 'skipped']),
  reason: z.string().min(1),
  /** Where the behaviour is a policy choice: the setting that changes it. */
  knob: z.string().optional(),
  /** The deviation shows only under this profile (a policy the lenient profile accepts). */
  profile: z.enum(['strict', 'lenient']).optional(),
});
export const ExpectationsFileSchema = z.strictObject({
  target: z.string(),
  /** The software and version the file was written against. */
  software: z.string().optional(),
  deviations: z.array(ExpectationEntrySchema).default([]),
});
export type ExpectationsFile = z.infer<typeof ExpectationsFileSchema>;
export type ExpectationEntry = z.infer<typeof ExpectationEntrySchema>;

export function loadExpectations(file: string): ExpectationsFile {
  const source = fs.readFileSync(file, 'utf8');
  const lc = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lc });
  const parsed = ExpectationsFileSchema.safeParse(doc.toJS());
  if (doc.errors.length || !parsed.success) {
    const issues = doc.errors.length
      ? doc.errors.map((e) => ({ offset: e.pos[0], message: e.message.split('\n')[0]! }))
      : parsed.error!.issues.map((i) => {
          const node = doc.getIn(i.path as (string | number)[], true) as { range?: [number] } | undefined;
          return { offset: node?.range?.[0] ?? 0, message: `${i.path.join('.')}: ${i.message}` };
        });
    throw new ScenarioFileError(issues.map(({ offset, message }) => ({ file, ...lc.linePos(offset), message })));
  }
  return parsed.data;
}

/** The status this file expects for a scenario: its deviation, or undefined (passed or skipped for lack of a keyword). */
export function expectedFor(file: ExpectationsFile | undefined, id: string, profile?: 'strict' | 'lenient'): ExpectationEntry | undefined {
  return file?.deviations.find((d) => d.id === id && (!d.profile || !profile || d.profile === profile));
}

/** Does the result match what the file documents? Unlisted scenarios must pass (or be skipped). */
export function matchesExpectation(r: ScenarioResult, entry: ExpectationEntry | undefined): boolean {
  if (!entry) return r.status === 'passed' || r.status === 'skipped';
  return r.status === entry.status;
}

/**
 * Rewrites the file from a run: every failed/errored scenario becomes a
 * deviation, keeping the reason and knob already written for it; new ones get
 * a reason to fill in. Deviations of scenarios that did not run are kept.
 */
export function updatedExpectations(
  prev: ExpectationsFile | undefined,
  target: string,
  software: string,
  results: ScenarioResult[],
  profile: 'strict' | 'lenient' = 'strict',
): ExpectationsFile {
  const ran = new Set(results.map((r) => r.id));
  const deviations: ExpectationEntry[] = [];
  for (const r of results) {
    if (r.status !== 'failed' && r.status !== 'errored') continue;
    const old = expectedFor(prev, r.id, profile);
    const detail = r.status === 'failed' ? `${r.failure.message} (got ${r.failure.actual})` : `${r.error.code}: ${r.error.message}`;
    deviations.push({ id: r.id, status: r.status as Exclude<Status, 'passed' | 'skipped'>, reason: old?.reason ?? `TODO explain: ${detail}`, ...(old?.knob ? { knob: old.knob } : {}), ...(old?.profile ? { profile: old.profile } : {}) });
  }
  // Kept: deviations of scenarios that did not run, and those of the other profile.
  for (const d of prev?.deviations ?? []) if (!ran.has(d.id) || (d.profile && d.profile !== profile)) deviations.push(d);
  deviations.sort((a, b) => a.id.localeCompare(b.id));
  return { target, software, deviations };
}

export function writeExpectations(file: string, e: ExpectationsFile): void {
  const header =
    `# Known deviations of ${e.target} from the catalogue, checked by every run against it.\n` +
    `# A run is green when outcomes match this file. Regenerate with:\n` +
    `#   npx smtptest run --target ${e.target} --update-expectations\n` +
    `# then write the reason (and the config knob, for a policy choice) of each new entry.\n`;
  fs.writeFileSync(file, header + stringify(e, { lineWidth: 0 }));
}
