/**
 * Loading smtptest.config.yaml: validated with zod, every problem reported as
 * `file:line:col: message` with a caret, the same way the scenario loader
 * (harness/scenario/load.ts) reports suite files.
 */
import fs from 'node:fs';
import path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { SmtpTestError } from '../errors.ts';
import { formatProblem, type ScenarioProblem } from '../scenario/load.ts';
import { describeIssue, excerpt, issueOffset } from '../scenario/yaml-issues.ts';
import { ConfigSchema, type LoadedConfig } from './schema.ts';

export { CONFIG_FILES, findConfigFile } from './names.ts';

export type ConfigProblem = ScenarioProblem;

/** A config file that cannot be read or is invalid: E_CONFIG, listing every problem. */
export class ConfigFileError extends SmtpTestError {
  readonly problems: ConfigProblem[];
  constructor(problems: ConfigProblem[]) {
    super('E_CONFIG', problems.map(formatProblem).join('\n'));
    this.name = 'ConfigFileError';
    this.problems = problems;
  }
}

/** Reads and validates a config file; relative paths in it are resolved against its directory. */
export function loadConfigFile(file: string): LoadedConfig {
  let source: string;
  try {
    source = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigFileError([{ file, line: 0, col: 0, message: `cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}` }]);
  }
  return parseConfigYaml(source, file);
}

export function parseConfigYaml(source: string, file: string): LoadedConfig {
  const lc = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number, message: string): ConfigProblem => {
    const { line, col } = lc.linePos(offset);
    return { file, line, col, message, excerpt: excerpt(source, line, col) };
  };
  if (doc.errors.length > 0) throw new ConfigFileError(doc.errors.map((e) => at(e.pos[0], `YAML: ${e.message.split('\n')[0]}`)));
  const parsed = ConfigSchema.safeParse(doc.toJS() ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => at(issueOffset(doc, issue), describeIssue(issue)));
    throw new ConfigFileError(problems.sort((a, b) => a.line - b.line || a.col - b.col));
  }
  const dir = path.dirname(path.resolve(file));
  const cfg = parsed.data;
  return {
    ...cfg,
    ...(cfg.suites ? { suites: cfg.suites.map((s) => resolveSuiteSpec(s, dir)) } : {}),
    ...(cfg.out ? { out: path.resolve(dir, cfg.out) } : {}),
    ...(typeof cfg.expectations === 'string' ? { expectations: path.resolve(dir, cfg.expectations) } : {}),
    ...(cfg.compare?.baseline ? { compare: { ...cfg.compare, baseline: path.resolve(dir, cfg.compare.baseline) } } : {}),
    file: path.resolve(file),
  };
}

/** A suite spec that names a path (has a slash or a suite extension) is relative to the config; a bare name stays a name. */
function resolveSuiteSpec(spec: string, dir: string): string {
  return spec.includes('/') || /\.(ya?ml|ts)$/.test(spec) ? path.resolve(dir, spec) : spec;
}
