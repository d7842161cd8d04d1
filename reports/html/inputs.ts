/**
 * Reading results files: a conformance results.json (RunResult) or a load
 * JSON (LoadResult, checked against its zod schema). Anything else is
 * E_CONFIG naming the file.
 */
import fs from 'node:fs';
import { z } from 'zod';
import { SmtpTestError } from '../../harness/errors.ts';
import { LoadResultSchema, type LoadResult } from '../../harness/load/types.ts';
import type { RunResult } from '../../harness/runner/types.ts';

export type ResultsFile = { kind: 'conformance'; file: string; run: RunResult } | { kind: 'load'; file: string; run: LoadResult };

/** The parts of results.json the reports rely on (the rest passes through unchecked). */
const RunResultShape = z.looseObject({
  schemaVersion: z.literal(1),
  target: z.looseObject({ name: z.string(), host: z.string(), port: z.number(), description: z.string(), capabilities: z.looseObject({ keywords: z.record(z.string(), z.array(z.string())) }) }),
  startedAt: z.string(),
  durationMs: z.number(),
  options: z.looseObject({ profile: z.string(), strict: z.boolean() }),
  summary: z.looseObject({ total: z.number(), passed: z.number(), failed: z.number(), errored: z.number(), skipped: z.number() }),
  verdict: z.enum(['pass', 'fail']),
  scenarios: z.array(
    z.looseObject({
      id: z.string(),
      title: z.string(),
      suite: z.string(),
      rfc: z.string(),
      section: z.string(),
      level: z.enum(['MUST', 'SHOULD', 'MAY']),
      status: z.enum(['passed', 'failed', 'errored', 'skipped']),
      transcript: z.array(z.looseObject({ dir: z.enum(['C', 'S', '*']), atMs: z.number(), text: z.string() })),
    }),
  ),
});

function issues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`)
    .join('; ');
}

/** Classifies parsed JSON as conformance or load results. */
export function classifyResults(data: unknown, file: string): ResultsFile {
  const isLoad = typeof data === 'object' && data !== null && 'timeline' in data && 'histograms' in data;
  if (isLoad) {
    const parsed = LoadResultSchema.safeParse(data);
    if (!parsed.success) throw new SmtpTestError('E_CONFIG', `${file}: not a valid load result: ${issues(parsed.error)}`);
    return { kind: 'load', file, run: parsed.data };
  }
  const parsed = RunResultShape.safeParse(data);
  if (!parsed.success) throw new SmtpTestError('E_CONFIG', `${file}: neither a results.json nor a load result: ${issues(parsed.error)}`);
  return { kind: 'conformance', file, run: data as RunResult };
}

export function readResultsFile(file: string): ResultsFile {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new SmtpTestError('E_CONFIG', `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new SmtpTestError('E_CONFIG', `${file}: not JSON: ${(e as Error).message}`);
  }
  return classifyResults(data, file);
}
