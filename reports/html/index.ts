/**
 * The HTML report: `buildReportModel()` (plain JSON) → `renderHtml()` (one
 * self-contained file). `htmlReporter()` is the `--reporter html` hook;
 * `writeHtmlReport()` is what `smtptest report` calls.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Reporter, RunResult } from '../../harness/runner/types.ts';
import type { LoadResult } from '../../harness/load/types.ts';
import { buildReportModel, type BuildOptions, type ReportModel } from './model.ts';
import { renderHtml } from './render.ts';

export { buildReportModel, type ReportModel, type BuildOptions } from './model.ts';
export { renderHtml } from './render.ts';
export { readResultsFile, classifyResults, type ResultsFile } from './inputs.ts';

/** Builds and writes the report; returns the model it rendered. */
export function writeHtmlReport(file: string, runs: readonly RunResult[], loads: readonly LoadResult[] = [], opts: BuildOptions = {}): ReportModel {
  const model = buildReportModel(runs, loads, { cwd: process.cwd(), ...opts });
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  fs.writeFileSync(file, renderHtml(model));
  return model;
}

/** `--reporter html`: writes `file` when the run ends. */
export function htmlReporter(file: string): Reporter {
  return {
    onRunEnd(run: RunResult) {
      writeHtmlReport(file, [run]);
    },
  };
}
