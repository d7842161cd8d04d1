/**
 * Loading suites: YAML files validated against the schema, with every
 * problem reported as `file:line:col: message` and a caret under the
 * offending text (after hurl), and TypeScript suites that default-export
 * the same shape. An invalid file stops the run before anything is sent.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { LineCounter, parseDocument, isNode } from 'yaml';
import { SmtpTestError } from '../errors.ts';
import { BUNDLED, fromPackage } from '../paths.ts';
import { SuiteSchema, type LoadedScenario, type Suite } from './schema.ts';
import { describeIssue, excerpt, issueOffset, nodeOffset } from './yaml-issues.ts';

export interface ScenarioProblem {
  file: string;
  line: number;
  col: number;
  message: string;
  /** The source line and a caret, for display. */
  excerpt?: string;
}

export class ScenarioFileError extends SmtpTestError {
  readonly problems: ScenarioProblem[];
  constructor(problems: ScenarioProblem[]) {
    super('E_SCENARIO', problems.map(formatProblem).join('\n'));
    this.problems = problems;
  }
}

export function formatProblem(p: ScenarioProblem): string {
  return `${p.file}:${p.line}:${p.col}: ${p.message}` + (p.excerpt ? `\n${p.excerpt}` : '');
}

/** Loads one suite file (.yaml, .yml or .ts). Throws ScenarioFileError listing every problem. */
export async function loadSuiteFile(file: string): Promise<Suite> {
  if (file.endsWith('.ts') || file.endsWith('.js')) return loadModuleSuite(file);
  const source = await fs.readFile(file, 'utf8');
  return parseSuiteYaml(source, file);
}

export function parseSuiteYaml(source: string, file: string): Suite {
  const lc = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number, message: string): ScenarioProblem => {
    const { line, col } = lc.linePos(offset);
    return { file, line, col, message, excerpt: excerpt(source, line, col) };
  };
  if (doc.errors.length > 0) {
    throw new ScenarioFileError(doc.errors.map((e) => at(e.pos[0], `YAML: ${e.message.split('\n')[0]}`)));
  }
  const parsed = SuiteSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    throw new ScenarioFileError(parsed.error.issues.map((issue) => at(issueOffset(doc, issue), describeIssue(issue))));
  }
  const suiteName = parsed.data.suite ?? path.basename(file).replace(/\.ya?ml$/, '');
  const scenarios = parsed.data.scenarios.map((s, i): LoadedScenario => {
    const stepLines = s.steps.map((_, j) => {
      const node = doc.getIn(['scenarios', i, 'steps', j], true);
      return isNode(node) && node.range ? lc.linePos(node.range[0]).line : 0;
    });
    return { ...s, rfc: s.rfc ?? parsed.data.rfc, suite: suiteName, file, stepLines };
  });
  checkUniqueIds(scenarios, (i) => at(nodeOffset(doc, ['scenarios', i, 'id']), `duplicate scenario id ${scenarios[i]!.id}`));
  return { name: suiteName, title: parsed.data.title, file, scenarios };
}

/**
 * A module suite's default export. The bundle has the built-in TypeScript
 * suites compiled in its suites/ directory (scripts/build.mjs), next to the
 * chunk this code is in; any other TypeScript file goes through tsx.
 */
async function suiteModuleExport(file: string): Promise<unknown> {
  const abs = path.resolve(file);
  if (!abs.endsWith('.ts')) return ((await import(pathToFileURL(abs).href)) as { default?: unknown }).default;
  if (BUNDLED && path.dirname(abs) === fromPackage('suites')) {
    const built = new URL(`./suites/${path.basename(abs, '.ts')}.js`, import.meta.url);
    if (await fs.stat(built).catch(() => undefined)) return ((await import(built.href)) as { default?: unknown }).default;
  }
  return importTypeScriptDefault(abs);
}

/**
 * Imports a TypeScript file (a suite written as a module) through tsx, from
 * the sources or the bundle alike, and whether Node would take the file for
 * an ES module or for CommonJS (a .ts file outside a package with
 * "type": "module"). Returns the module's default export.
 */
async function importTypeScriptDefault(file: string): Promise<unknown> {
  const { tsImport } = await import('tsx/esm/api');
  const mod = (await tsImport(pathToFileURL(file).href, import.meta.url)) as { default?: unknown };
  // Compiled as CommonJS, `export default x` is module.exports.default, and the namespace's default is module.exports.
  const d = mod.default;
  return d !== null && typeof d === 'object' && (d as { __esModule?: boolean }).__esModule ? (d as { default?: unknown }).default : d;
}

async function loadModuleSuite(file: string): Promise<Suite> {
  const parsed = SuiteSchema.safeParse(await suiteModuleExport(file));
  if (!parsed.success) {
    throw new ScenarioFileError(
      parsed.error.issues.map((issue) => ({ file, line: 0, col: 0, message: `${issue.path.join('.')}: ${describeIssue(issue)}` })),
    );
  }
  const suiteName = parsed.data.suite ?? path.basename(file).replace(/\.(ts|js)$/, '');
  const scenarios = parsed.data.scenarios.map(
    (s): LoadedScenario => ({ ...s, rfc: s.rfc ?? parsed.data.rfc, suite: suiteName, file, stepLines: s.steps.map(() => 0) }),
  );
  checkUniqueIds(scenarios, (i) => ({ file, line: 0, col: 0, message: `duplicate scenario id ${scenarios[i]!.id}` }));
  return { name: suiteName, title: parsed.data.title, file, scenarios };
}

function checkUniqueIds(scenarios: LoadedScenario[], problem: (i: number) => ScenarioProblem): void {
  const seen = new Set<string>();
  const problems: ScenarioProblem[] = [];
  scenarios.forEach((s, i) => {
    if (seen.has(s.id)) problems.push(problem(i));
    seen.add(s.id);
  });
  if (problems.length) throw new ScenarioFileError(problems);
}

/** Loads every suite, checks that ids are unique across them, and reports all problems at once. */
export async function loadSuites(files: string[]): Promise<Suite[]> {
  const suites: Suite[] = [];
  const problems: ScenarioProblem[] = [];
  for (const f of files) {
    try {
      suites.push(await loadSuiteFile(f));
    } catch (e) {
      if (e instanceof ScenarioFileError) problems.push(...e.problems);
      else throw e;
    }
  }
  const owner = new Map<string, string>();
  for (const s of suites) {
    for (const sc of s.scenarios) {
      const prev = owner.get(sc.id);
      if (prev) problems.push({ file: sc.file, line: sc.stepLines[0] ?? 0, col: 1, message: `scenario id ${sc.id} also used in ${prev}` });
      owner.set(sc.id, sc.file);
    }
  }
  if (problems.length) throw new ScenarioFileError(problems);
  return suites;
}
