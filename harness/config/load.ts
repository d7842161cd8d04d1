/**
 * Loading smtptest.config.yaml: validated with zod, every problem reported as
 * `file:line:col: message` with a caret, the same way the scenario loader
 * (harness/scenario/load.ts) reports suite files.
 */
import fs from 'node:fs';
import path from 'node:path';
import { LineCounter, parseDocument, isNode, isMap, isScalar, type Document } from 'yaml';
import type { z } from 'zod';
import { SmtpTestError } from '../errors.ts';
import { formatProblem, type ScenarioProblem } from '../scenario/load.ts';
import { ConfigSchema, type LoadedConfig } from './schema.ts';

export const CONFIG_FILES = ['smtptest.config.yaml', 'smtptest.config.yml'];

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

/** The config file in `dir`, if there is one. */
export function findConfigFile(dir = process.cwd()): string | undefined {
  return CONFIG_FILES.map((f) => path.join(dir, f)).find((f) => fs.existsSync(f));
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
    const problems = parsed.error.issues.map((issue) => at(offsetOf(doc, issue), describe(issue)));
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

function describe(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
  if (issue.code === 'invalid_key' && issue.issues[0]) return `key '${String(issue.path[issue.path.length - 1])}': ${describe(issue.issues[0] as z.core.$ZodIssue)}`;
  if (issue.code === 'invalid_union') {
    const inner = issue.errors.flat().find((e) => e.code !== 'invalid_type') ?? issue.errors.flat()[0];
    if (inner) return describe(inner);
  }
  return issue.message;
}

/** The deepest YAML node on the issue's path that exists; an unknown key or a bad record key points at the key. */
function offsetOf(doc: Document, issue: z.core.$ZodIssue): number {
  const p = issue.path.map((k) => (typeof k === 'symbol' ? String(k) : k));
  const keyNamed = (mapPath: (string | number)[], key: unknown): number => {
    const map = mapPath.length ? doc.getIn(mapPath, true) : doc.contents;
    if (!isMap(map)) return -1;
    const pair = map.items.find((it) => isScalar(it.key) && it.key.value === key);
    return pair && isNode(pair.key) && pair.key.range ? pair.key.range[0] : -1;
  };
  if (issue.code === 'unrecognized_keys' && issue.keys[0]) {
    const off = keyNamed(p, issue.keys[0]);
    if (off >= 0) return off;
  }
  if (issue.code === 'invalid_key' || (issue.code === 'invalid_format' && p.length > 0 && doc.getIn(p, true) === undefined)) {
    const off = keyNamed(p.slice(0, -1), p[p.length - 1]);
    if (off >= 0) return off;
  }
  for (let n = p.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(p.slice(0, n), true);
    if (isNode(node) && node.range) return node.range[0];
  }
  return 0;
}

function excerpt(source: string, line: number, col: number): string {
  const text = source.split(/\r?\n/)[line - 1] ?? '';
  return `  ${text}\n  ${' '.repeat(Math.max(0, col - 1))}^`;
}
