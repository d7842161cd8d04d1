/** The bin end to end, as a user runs it. */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { RunResult } from '../harness/runner/types.ts';
import { suiteFile } from './helpers/suite-file.ts';

const exec = promisify(execFile);
const BIN = path.resolve('bin/smtptest.js');

async function smtptest(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec('node', [BIN, ...args], { timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout: string; stderr: string };
    return { code: err.code ?? -1, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('smtptest run (bin)', () => {
  it('passes against the embedded target and writes JUnit whose counts match results.json', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'smtptest-e2e-'));
    const { code, stdout } = await smtptest(['run', '--suite', 'basic', '--out', out, '--reporter', 'console,junit,json']);
    expect(stdout).toMatch(/\d+ passed, 0 failed/);
    expect(code).toBe(0);
    const results = JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8')) as RunResult;
    expect(results.schemaVersion).toBe(1);
    expect(results.verdict).toBe('pass');
    expect(results.summary.passed).toBeGreaterThan(0);
    const xml = fs.readFileSync(path.join(out, 'junit.xml'), 'utf8');
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false, isArray: (name) => ['testsuite', 'testcase', 'property'].includes(name) }).parse(xml);
    const cases = (doc.testsuites.testsuite as { testcase: Record<string, unknown>[] }[]).flatMap((s) => s.testcase);
    expect(cases).toHaveLength(results.summary.total);
    expect(cases.filter((c) => 'failure' in c)).toHaveLength(results.summary.failed);
    expect(cases.filter((c) => 'error' in c)).toHaveLength(results.summary.errored);
    expect(cases.filter((c) => 'skipped' in c)).toHaveLength(results.summary.skipped);
    expect(Number(doc.testsuites['@_tests'])).toBe(results.summary.total);
    for (const s of results.scenarios) {
      expect(Object.keys(s)).toEqual(expect.arrayContaining(['id', 'title', 'suite', 'rfc', 'level', 'status', 'durationMs']));
    }
    expect(results.target.name).toBe('embedded');
    expect(results.tool.name).toBe('smtptest');
  });

  it('exits 1 on a MUST failure and names the YAML line of the failing step', async () => {
    const suite = suiteFile(
      'must.yaml',
      `title: t\nscenarios:\n  - id: WRONG\n    title: expects 251 to NOOP\n    section: "4.1.1.9"\n    level: MUST\n    steps:\n      - send: NOOP\n      - expect: 251\n`,
    );
    const { code, stdout } = await smtptest(['run', '--suite', suite, '--reporter', 'console', '--out', os.tmpdir()]);
    expect(code).toBe(1);
    expect(stdout).toContain(`${path.relative(process.cwd(), suite)}:9`);
    expect(stdout).toMatch(/expected: reply 251\n\s+actual:\s+250 /);
  });

  it('exits 0 on a SHOULD failure (a warning) and 1 with --strict', async () => {
    const suite = suiteFile('should.yaml', `title: t\nscenarios:\n  - { id: S, title: s, section: "1", level: SHOULD, steps: [ { send: NOOP }, { expect: 251 } ] }\n`);
    const lax = await smtptest(['run', '--suite', suite, '--reporter', 'console']);
    expect(lax.code).toBe(0);
    expect(lax.stdout).toMatch(/0 passed, 1 failed \(1 warnings\)/);
    const strict = await smtptest(['run', '--suite', suite, '--reporter', 'console', '--strict']);
    expect(strict.code).toBe(1);
  });

  it('exits 2 with file:line:col on an invalid scenario file, before connecting anywhere', async () => {
    const suite = suiteFile('bad.yaml', `title: t\nscenarios:\n  - { id: B, title: b, section: "1", level: MUSTY, steps: [ { send: NOOP } ] }\n`);
    const { code, stderr } = await smtptest(['run', '--suite', suite, '--target', 'smtp://127.0.0.1:1']);
    expect(code).toBe(2);
    expect(stderr).toContain(`${suite}:3:`);
  });

  it('exits 2 on an unknown target or reporter', async () => {
    expect((await smtptest(['run', '--target', 'nonsense'])).code).toBe(2);
    expect((await smtptest(['run', '--reporter', 'nonsense'])).code).toBe(2);
  });

  it('prints its version and its commands', async () => {
    const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8')) as { version: string };
    expect(await smtptest(['--version'])).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
    const help = await smtptest(['--help']);
    expect(help.code).toBe(0);
    for (const c of ['run', 'list', 'matrix', 'serve', 'selftest', 'load', 'sink', 'report', 'compare', 'merge']) expect(help.stdout).toMatch(new RegExp(`^  smtptest ${c}\\b`, 'm'));
  });

  it('lists scenarios', async () => {
    const { code, stdout } = await smtptest(['list', '--suite', 'basic']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^BASIC-GREETING-220\s+MUST\s+RFC 5321 §3\.1\s+/m);
  });
});
