/** smtptest.config.yaml: validation with file:line:col, paths relative to the file, and `run --config`. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.ts';
import { argsFor } from '../harness/config/index.ts';
import { ConfigFileError, findConfigFile, loadConfigFile, parseConfigYaml } from '../harness/config/load.ts';
import { isSmtpTestError } from '../harness/errors.ts';
import type { RunResult } from '../harness/runner/types.ts';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'smtptest-config-'));

function problemsOf(source: string): { line: number; col: number }[] {
  try {
    parseConfigYaml(source, 'smtptest.config.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigFileError);
    expect(isSmtpTestError(e, 'E_CONFIG')).toBe(true);
    return (e as ConfigFileError).problems.map(({ line, col }) => ({ line, col }));
  }
  throw new Error('expected the config to be rejected');
}

describe('config file', () => {
  it('loads every key, converts units and resolves paths against its directory', () => {
    const dir = tmp();
    const file = path.join(dir, 'smtptest.config.yaml');
    fs.writeFileSync(
      file,
      [
        'target: smtp://127.0.0.1:2525',
        'suites: [basic, ./custom/*.yaml, more/extra.yaml]',
        'levels: [MUST, SHOULD]',
        'profile: lenient',
        'strict: true',
        'concurrency: 4',
        'timeoutScale: 0.5',
        'replyTimeout: 2s',
        'reporters: [console, junit, html]',
        'out: ./out',
        'expectations: ./expectations.yaml',
        'load: { connections: 20, duration: 10, rate: 200, assert: ["p99<200ms"] }',
        'compare:',
        '  baseline: ../last-release/results.json',
        '  latency: 15%',
        '  throughput: 5',
        '  alpha: 0.05',
        '  percentiles: [p50, p99]',
        '',
      ].join('\n'),
    );
    const cfg = loadConfigFile(file);
    expect(cfg.suites).toEqual(['basic', path.join(dir, 'custom/*.yaml'), path.join(dir, 'more/extra.yaml')]);
    expect(cfg.replyTimeout).toBe(2000);
    expect(cfg.out).toBe(path.join(dir, 'out'));
    expect(cfg.expectations).toBe(path.join(dir, 'expectations.yaml'));
    expect(cfg.compare).toEqual({ baseline: path.resolve(dir, '../last-release/results.json'), latency: 15, throughput: 5, alpha: 0.05, percentiles: ['p50', 'p99'] });
    expect(findConfigFile(dir)).toBe(file);

    expect(argsFor('run', cfg)).toEqual({
      target: 'smtp://127.0.0.1:2525',
      suite: cfg.suites,
      level: ['MUST', 'SHOULD'],
      profile: 'lenient',
      strict: true,
      concurrency: 4,
      'timeout-scale': 0.5,
      'reply-timeout': 2000,
      reporter: ['console,junit,html'],
      out: path.join(dir, 'out'),
      expectations: path.join(dir, 'expectations.yaml'),
    });
    expect(argsFor('load', cfg)).toEqual({ target: 'smtp://127.0.0.1:2525', connections: 20, duration: 10, rate: 200, assert: ['p99<200ms'] });
    expect(argsFor('compare', cfg)).toMatchObject({ baseline: cfg.compare!.baseline, 'latency-threshold': 15, 'throughput-threshold': 5, alpha: 0.05, percentiles: ['p50,p99'] });
    expect(argsFor('run', parseConfigYaml('expectations: false\n', 'x.yaml'))).toEqual({ expectations: false });
  });

  it('an empty file is an empty config', () => {
    expect(argsFor('run', parseConfigYaml('', 'x.yaml'))).toEqual({});
  });

  it('points at the offending key or value with line and column', () => {
    expect(problemsOf('target: embedded\nlevels: [MUST, SHUOLD]\n')).toEqual([{ line: 2, col: 16 }]);
    expect(problemsOf('target: embedded\ncompare:\n  latency: 10\n  bogus: 1\n')).toEqual([{ line: 4, col: 3 }]);
    expect(problemsOf('reporters: [console, pdf]\n')).toEqual([{ line: 1, col: 22 }]);
    expect(problemsOf('replyTimeout: soon\n')).toEqual([{ line: 1, col: 15 }]);
    expect(problemsOf('target: [a\n').length).toBeGreaterThan(0);
    // Every problem at once.
    expect(problemsOf('concurrency: 0\nstrict: maybe\n')).toEqual([
      { line: 1, col: 14 },
      { line: 2, col: 9 },
    ]);
  });

  it('a missing file is E_CONFIG', () => {
    expect(() => loadConfigFile(path.join(tmp(), 'nope.yaml'))).toThrow(ConfigFileError);
  });
});

describe('smtptest run --config', () => {
  const capture = runCli;

  it('takes target, suites, grep, reporters and out from the file; flags win', async () => {
    const dir = tmp();
    const file = path.join(dir, 'smtptest.config.yaml');
    fs.writeFileSync(file, 'target: embedded\nsuites: [basic]\ngrep: GREETING\nreporters: [json]\nout: ./out\nexpectations: false\n');
    const r = await capture(['run', '--config', file]);
    expect(r.code).toBe(0);
    const run = JSON.parse(fs.readFileSync(path.join(dir, 'out', 'results.json'), 'utf8')) as RunResult;
    expect(run.scenarios.length).toBeGreaterThan(0);
    expect(run.scenarios.every((s) => /GREETING/i.test(s.id) || /GREETING/i.test(s.title))).toBe(true);
    expect(run.scenarios.every((s) => s.suite === 'basic')).toBe(true);

    const flagOut = path.join(dir, 'flag-out');
    expect((await capture(['run', '--config', file, '--grep', 'EHLO', '--out', flagOut])).code).toBe(0);
    const run2 = JSON.parse(fs.readFileSync(path.join(flagOut, 'results.json'), 'utf8')) as RunResult;
    expect(run2.scenarios.length).toBeGreaterThan(0);
    expect(run2.scenarios.every((s) => /EHLO/i.test(s.id) || /EHLO/i.test(s.title))).toBe(true);
  });

  it('an invalid config file stops the run with exit 2 before anything is sent', async () => {
    const dir = tmp();
    const file = path.join(dir, 'smtptest.config.yaml');
    fs.writeFileSync(file, 'target: embedded\nlevels: [MUST, SHUOLD]\nout: ./out\nreporters: [json]\n');
    const r = await capture(['run', '--config', file]);
    expect(r.code).toBe(2);
    expect(r.text).toContain(`${file}:2:16`);
    expect(fs.existsSync(path.join(dir, 'out'))).toBe(false);
    expect((await capture(['run', '--config', path.join(dir, 'missing.yaml')])).code).toBe(2);
  });

  it('smtptest load takes its options from the load section; flags win; an unknown key is exit 2', async () => {
    const dir = tmp();
    const file = path.join(dir, 'smtptest.config.yaml');
    const json = path.join(dir, 'load.json');
    fs.writeFileSync(file, `load:\n  connections: 2\n  messages: 12\n  json: ${JSON.stringify(json)}\n  progress: false\n`);
    expect((await capture(['load', '--config', file])).code).toBe(0);
    const first = JSON.parse(fs.readFileSync(json, 'utf8'));
    expect(first.connections).toBe(2);
    expect(first.messages.total).toBe(12);
    expect((await capture(['load', '--config', file, '--messages', '5'])).code).toBe(0);
    expect(JSON.parse(fs.readFileSync(json, 'utf8')).messages.total).toBe(5);
    fs.writeFileSync(file, 'load:\n  conections: 2\n');
    expect((await capture(['load', '--config', file])).code).toBe(2);
  });
});

describe('docs/examples', () => {
  it('the example config is valid and the workflow is YAML that runs smtptest', async () => {
    const cfg = loadConfigFile(path.resolve('docs/examples/smtptest.config.yaml'));
    expect(cfg.reporters).toContain('html');
    expect(argsFor('compare', cfg)).toHaveProperty('latency-threshold');
    const { parse } = await import('yaml');
    const wf = parse(fs.readFileSync('docs/examples/certify.yml', 'utf8')) as { jobs: Record<string, { steps: { run?: string }[] }> };
    const runs = Object.values(wf.jobs).flatMap((j) => j.steps.map((s) => s.run ?? '')).join('\n');
    for (const cmd of ['smtptest run --config', 'smtptest load', '--assert', 'smtptest compare', 'smtptest report']) expect(runs).toContain(cmd);
  });
});
