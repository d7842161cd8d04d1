/**
 * targets/mutant/exceptions.yaml: scenarios that no mutant fault makes fail,
 * each with the reason and what proves it instead (a real MTA, a scripted
 * fake). The selftest accepts an unproven scenario only when it is listed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { PACKAGE_ROOT } from '../runner/index.ts';
import { ScenarioFileError } from '../scenario/load.ts';

export const DEFAULT_EXCEPTIONS_FILE = path.join(PACKAGE_ROOT, 'targets', 'mutant', 'exceptions.yaml');

export const ExceptionSchema = z.strictObject({
  id: z.string().min(1),
  /** Why no fault of the mutant server can make this scenario fail. */
  reason: z.string().min(1),
  /** What shows it can fail instead: "postfix", "test/hostile.test.ts", … */
  provenBy: z.string().optional(),
});
export const ExceptionsFileSchema = z.strictObject({
  exceptions: z.array(ExceptionSchema).default([]),
});
export type MutationException = z.infer<typeof ExceptionSchema>;

/** Loads the exceptions list; a missing file is an empty list. Errors point at file:line:col. */
export function loadExceptions(file = DEFAULT_EXCEPTIONS_FILE): MutationException[] {
  if (!fs.existsSync(file)) return [];
  const source = fs.readFileSync(file, 'utf8');
  const lc = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lc });
  const parsed = ExceptionsFileSchema.safeParse(doc.toJS() ?? {});
  if (doc.errors.length || !parsed.success) {
    const problems = doc.errors.length
      ? doc.errors.map((e) => ({ offset: e.pos[0], message: e.message.split('\n')[0]! }))
      : parsed.error!.issues.map((i) => {
          const node = doc.getIn(i.path as (string | number)[], true) as { range?: [number] } | undefined;
          return { offset: node?.range?.[0] ?? 0, message: `${i.path.join('.')}: ${i.message}` };
        });
    throw new ScenarioFileError(problems.map(({ offset, message }) => ({ file, ...lc.linePos(offset), message })));
  }
  return parsed.data.exceptions;
}
