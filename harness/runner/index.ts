/**
 * runSuites(): the conformance run as a function. The CLI is a thin layer
 * over it; tests call it directly.
 */
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pLimit from 'p-limit';
import { loadSuites } from '../scenario/load.ts';
import type { Level, LoadedScenario, Suite } from '../scenario/schema.ts';
import { resolveTarget } from '../../targets/resolve.ts';
import type { StartedTarget, Target } from '../../targets/types.ts';
import { discoverCapabilities } from './discover.ts';
import { runScenario } from './scenario.ts';
import { failsRun, type Profile, type Reporter, type RunOptions, type RunResult, type RunSummary, type ScenarioResult } from './types.ts';
import { toolInfo } from '../version.ts';
import { SmtpTestError } from '../errors.ts';
import { PACKAGE_ROOT } from '../paths.ts';
import { expectedFor, loadExpectations, matchesExpectation, type ExpectationsFile } from './expectations.ts';

export { PACKAGE_ROOT };
export const BUILTIN_SUITES = path.join(PACKAGE_ROOT, 'suites');

export interface RunSuitesOptions {
  /** A target name ('embedded', 'smtp://…'), a Target, or an already started target (left running; pass timeoutScale to match its timers). */
  target?: string | Target | StartedTarget;
  /** Suite files, directories, names (suites/NAME.yaml) or globs with '*'. Default: every built-in suite. */
  suites?: string[];
  /** Regular expression over scenario id and title. */
  grep?: string;
  /** Only these levels. */
  levels?: Level[];
  profile?: Profile;
  strict?: boolean;
  timeoutScale?: number;
  replyTimeoutMs?: number;
  concurrency?: number;
  reporters?: Reporter[];
  /**
   * Known deviations to judge the run by: a file path, or true for the
   * target's own (targets/<name>/expectations.yaml, if it exists). Default true.
   */
  expectations?: string | boolean;
}

/** targets/<name>/expectations.yaml for a named target ('postfix:3.7' → targets/postfix/...). */
export function defaultExpectationsFile(targetName: string): string | undefined {
  // 'postfix:3.7' and 'postfix-native' are the same software as 'postfix'.
  const base = targetName.split(':')[0]!.replace(/-native$/, '');
  if (!/^[a-z][a-z0-9-]*$/.test(base)) return undefined;
  const file = path.join(PACKAGE_ROOT, 'targets', base, 'expectations.yaml');
  return fs.existsSync(file) ? file : undefined;
}

/** Finds suite files for the given specs; throws E_CONFIG for a spec that matches nothing. */
export function findSuiteFiles(specs: string[] | undefined, base = BUILTIN_SUITES): string[] {
  const isSuite = (f: string) => /\.(ya?ml|ts)$/.test(f) && !f.endsWith('.d.ts');
  const inDir = (d: string) => fs.readdirSync(d).filter(isSuite).sort().map((f) => path.join(d, f));
  if (!specs || specs.length === 0) return inDir(base);
  const out = new Set<string>();
  for (const spec of specs) {
    let matched: string[] = [];
    if (spec.includes('*')) {
      const dir = spec.includes('/') ? path.dirname(spec) : base;
      const re = new RegExp('^' + path.basename(spec).replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*') + '$');
      matched = fs.existsSync(dir) ? inDir(dir).filter((f) => re.test(path.basename(f)) || re.test(path.basename(f).replace(/\.(ya?ml|ts)$/, ''))) : [];
    } else if (fs.existsSync(spec) && fs.statSync(spec).isDirectory()) {
      matched = inDir(spec);
    } else if (fs.existsSync(spec)) {
      matched = [spec];
    } else {
      matched = ['.yaml', '.yml', '.ts'].map((ext) => path.join(base, spec + ext)).filter((f) => fs.existsSync(f));
    }
    if (matched.length === 0) throw new SmtpTestError('E_CONFIG', `no suite matches '${spec}'`);
    matched.forEach((f) => out.add(f));
  }
  return [...out];
}

export function selectScenarios(suites: Suite[], grep?: string, levels?: Level[]): LoadedScenario[] {
  const re = grep ? new RegExp(grep, 'i') : undefined;
  return suites
    .flatMap((s) => s.scenarios)
    .filter((s) => (!re || re.test(s.id) || re.test(s.title)) && (!levels || levels.includes(s.level)));
}

function isStarted(t: Target | StartedTarget): t is StartedTarget {
  return typeof t === 'object' && 'port' in t;
}

export async function resolveTargetSpec(spec: RunSuitesOptions['target']): Promise<Target | StartedTarget> {
  if (typeof spec === 'object') return spec;
  return resolveTarget(spec ?? 'embedded');
}

export async function startTarget(target: Target | StartedTarget, timeoutScale: number): Promise<{ started: StartedTarget; owned: boolean }> {
  if (isStarted(target)) return { started: target, owned: false };
  return { started: await target.start({ timeoutScale }), owned: true };
}

export async function runSuites(opts: RunSuitesOptions = {}): Promise<RunResult> {
  const target0 = await resolveTargetSpec(opts.target);
  const options: RunOptions = {
    profile: opts.profile ?? 'strict',
    strict: opts.strict ?? false,
    timeoutScale: opts.timeoutScale ?? (isStarted(target0) ? 1 : (target0.defaultTimeoutScale ?? 1)),
    replyTimeoutMs: opts.replyTimeoutMs ?? 5000,
    concurrency: opts.concurrency ?? 8,
  };
  // Load and validate everything before touching the network.
  const suites = await loadSuites(findSuiteFiles(opts.suites));
  const scenarios = selectScenarios(suites, opts.grep, opts.levels);
  const reporters = opts.reporters ?? [];
  const startedAt = new Date();
  const t0 = performance.now();
  const { started, owned } = await startTarget(target0, options.timeoutScale);
  const expectationsFile =
    typeof opts.expectations === 'string' ? opts.expectations : opts.expectations === false ? undefined : defaultExpectationsFile(started.name);
  const expectations = expectationsFile ? loadExpectations(expectationsFile) : undefined;
  try {
    const capabilities = await discoverCapabilities(started, options.replyTimeoutMs).catch((e: Error) => ({ keywords: {}, error: e.message }));
    const target = { name: started.name, host: started.host, port: started.port, description: started.description, capabilities };
    for (const r of reporters) await r.onRunStart?.({ suites, scenarios, target, options });
    const limit = pLimit(options.concurrency);
    const results = await Promise.all(
      scenarios.map((s) =>
        limit(async () => {
          for (const r of reporters) await r.onScenarioStart?.(s);
          const result = judgeExpectation(await runScenario(s, { target: started, capabilities, options }), expectations, options.profile);
          for (const r of reporters) await r.onScenarioEnd?.(result);
          return result;
        }),
      ),
    );
    const result: RunResult = {
      schemaVersion: 1,
      tool: toolInfo(),
      target,
      startedAt: startedAt.toISOString(),
      durationMs: Math.round(performance.now() - t0),
      options,
      ...(expectationsFile ? { expectations: path.relative(PACKAGE_ROOT, expectationsFile) } : {}),
      summary: summarise(results, options.strict),
      verdict: results.some((r) => failsRun(r, options.strict)) ? 'fail' : 'pass',
      scenarios: results,
    };
    for (const r of reporters) await r.onRunEnd?.(result);
    return result;
  } finally {
    if (owned) await started.stop();
  }
}

function judgeExpectation(r: ScenarioResult, file: ExpectationsFile | undefined, profile: Profile): ScenarioResult {
  if (!file) return r;
  const entry = expectedFor(file, r.id, profile);
  return {
    ...r,
    ...(entry ? { knownDeviation: { status: entry.status, reason: entry.reason, ...(entry.knob ? { knob: entry.knob } : {}) } } : {}),
    asExpected: matchesExpectation(r, entry),
  };
}

export function summarise(results: ScenarioResult[], strict: boolean): RunSummary {
  const count = (s: ScenarioResult['status']) => results.filter((r) => r.status === s).length;
  return {
    total: results.length,
    passed: count('passed'),
    failed: count('failed'),
    errored: count('errored'),
    skipped: count('skipped'),
    warnings: results.filter((r) => r.status === 'failed' && !failsRun(r, strict)).length,
    knownDeviations: results.filter((r) => r.knownDeviation && r.asExpected).length,
    unexpected: results.filter((r) => r.asExpected === false).length,
  };
}
