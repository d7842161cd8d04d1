import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSuites } from '../harness/runner/index.ts';
import { loadExpectations, updatedExpectations, writeExpectations } from '../harness/runner/expectations.ts';
import { buildJUnit } from '../reports/junit.ts';
import { fakeServer, onLines, type FakeServer } from './helpers/fake-server.ts';
import { suiteFile } from './helpers/suite-file.ts';

let server: FakeServer;
beforeAll(async () => {
  server = await fakeServer((s) => {
    s.write('220 fake\r\n');
    onLines(s, (l) => s.write(l.startsWith('EHLO') ? '250 fake\r\n' : l === 'NOOP' ? '250 ok\r\n' : '502 no\r\n'));
  });
});
afterAll(() => server.close());

const suite = () =>
  suiteFile(
    's.yaml',
    `title: t
scenarios:
  - { id: A-PASSES, title: a, section: "1", level: MUST, steps: [ { send: NOOP }, { expect: 250 } ] }
  - { id: B-FAILS, title: b, section: "1", level: MUST, steps: [ { send: HELP }, { expect: 214 } ] }
`,
  );

function expectationsFile(yaml: string): string {
  const f = suiteFile('expectations.yaml', yaml);
  return f;
}

describe('expectations files', () => {
  it('a documented deviation keeps the run green and is still reported', async () => {
    const file = expectationsFile(`target: fake\ndeviations:\n  - { id: B-FAILS, status: failed, reason: "HELP disabled by policy", knob: help_enabled }\n`);
    const run = await runSuites({ target: server.target, suites: [suite()], expectations: file });
    expect(run.verdict).toBe('pass');
    expect(run.summary).toMatchObject({ passed: 1, failed: 1, knownDeviations: 1, unexpected: 0 });
    const b = run.scenarios.find((r) => r.id === 'B-FAILS')!;
    expect(b).toMatchObject({ status: 'failed', asExpected: true, knownDeviation: { reason: 'HELP disabled by policy', knob: 'help_enabled' } });
    expect(buildJUnit(run)).toMatch(/<property name="knownDeviation" value="failed: HELP disabled by policy"\/>/);
  });

  it('an undocumented failure, or a documented deviation that now passes, turns the run red', async () => {
    const none = expectationsFile(`target: fake\ndeviations: []\n`);
    expect((await runSuites({ target: server.target, suites: [suite()], expectations: none })).verdict).toBe('fail');
    const stale = expectationsFile(
      `target: fake\ndeviations:\n  - { id: A-PASSES, status: failed, reason: old }\n  - { id: B-FAILS, status: failed, reason: r }\n`,
    );
    const run = await runSuites({ target: server.target, suites: [suite()], expectations: stale });
    expect(run.verdict).toBe('fail');
    expect(run.summary.unexpected).toBe(1);
    expect(buildJUnit(run)).toMatch(/<failure message="documented as failed but now passed/);
  });

  it('--update-expectations keeps written reasons and adds new deviations to fill in', async () => {
    const file = expectationsFile(`target: fake\ndeviations:\n  - { id: B-FAILS, status: failed, reason: "kept reason" }\n  - { id: GONE, status: failed, reason: "not run this time" }\n`);
    const run = await runSuites({ target: server.target, suites: [suite()], expectations: false });
    writeExpectations(file, updatedExpectations(loadExpectations(file), 'fake', 'fake 1.0', run.scenarios));
    const again = loadExpectations(file);
    expect(again.deviations).toEqual([
      { id: 'B-FAILS', status: 'failed', reason: 'kept reason' },
      { id: 'GONE', status: 'failed', reason: 'not run this time' },
    ]);
    expect(fs.readFileSync(file, 'utf8')).toMatch(/^# Known deviations of fake/);
  });

  it('rejects a malformed file with file:line:col', () => {
    const file = expectationsFile(`target: fake\ndeviations:\n  - { id: X, status: broken, reason: r }\n`);
    expect(() => loadExpectations(file)).toThrow(expect.objectContaining({ code: 'E_SCENARIO', problems: [expect.objectContaining({ line: 3 })] }));
  });
});

describe('expectations per profile', () => {
  it('an entry marked profile: strict applies only under --profile strict', async () => {
    const file = expectationsFile(`target: fake\ndeviations:\n  - { id: B-FAILS, status: failed, profile: strict, reason: policy }\n`);
    const strict = await runSuites({ target: server.target, suites: [suite()], expectations: file, profile: 'strict' });
    expect(strict.scenarios.find((r) => r.id === 'B-FAILS')).toMatchObject({ asExpected: true, knownDeviation: { reason: 'policy' } });
    const lenient = await runSuites({ target: server.target, suites: [suite()], expectations: file, profile: 'lenient' });
    // Not documented for lenient: the same failure is unexpected there.
    expect(lenient.scenarios.find((r) => r.id === 'B-FAILS')).toMatchObject({ asExpected: false });
    expect(lenient.verdict).toBe('fail');
  });
});
