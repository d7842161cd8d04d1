/**
 * The mutation self-test. First its judgement on a small made-up suite (a
 * scenario the reference fails, one no fault kills, a fault nothing
 * catches), then the real thing: the whole catalogue in suites/ against the
 * reference server and every fault.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSelftest } from '../harness/selftest/index.ts';
import { selftestText } from '../harness/selftest/report.ts';
import { FAULT_NAMES } from '../targets/mutant/index.ts';
import { suiteFile } from './helpers/suite-file.ts';

const SMALL = `
title: selftest judgement
scenarios:
  - id: S-RCPT-NO-MAIL
    title: RCPT without MAIL is 503
    section: "3.3"
    level: MUST
    steps: [ { send: "RCPT TO:<{{rcpt}}>" }, { expect: 503 } ]
  - id: S-GREETING-ANY
    title: the greeting is 2xx or 5xx (nothing can fail this)
    section: "3.1"
    level: MUST
    prelude: none
    steps: [ { expect: ['2xx', '5xx'] } ]
  - id: S-WRONG
    title: NOOP is 500 (the reference server fails this)
    section: "4.1.1.9"
    level: MUST
    steps: [ { send: NOOP }, { expect: 500 } ]
`;

describe('selftest judgement', () => {
  it('reports the reference failure, the uncaught fault and the unproven scenario; the exceptions list excuses the latter', async () => {
    const suite = suiteFile('small.yaml', SMALL);
    const exceptions = path.join(path.dirname(suite), 'exceptions.yaml');
    fs.writeFileSync(exceptions, 'exceptions: []\n');
    const opts = { suites: [suite], faults: ['rcpt-before-mail', 'help-502', 'greeting-554'] as const, exceptionsFile: exceptions, replyTimeoutMs: 500 };
    const r = await runSelftest({ ...opts, faults: [...opts.faults] });
    expect(r.verdict).toBe('fail');
    expect(r.reference.outcomes.map((o) => [o.id, o.status])).toEqual([['S-WRONG', 'failed']]);
    expect(r.faults.map((f) => [f.fault, f.caught, f.killedBy])).toEqual([
      ['rcpt-before-mail', true, ['S-RCPT-NO-MAIL']],
      ['help-502', false, []],
      // Caught (S-RCPT-NO-MAIL fails), but in the prelude: that proves nothing about the scenario.
      ['greeting-554', true, []],
    ]);
    expect(r.faults[2]!.outcomes.find((o) => o.id === 'S-RCPT-NO-MAIL')).toMatchObject({ status: 'failed', step: -1 });
    // S-WRONG fails everywhere, so it counts as a kill nowhere.
    expect(r.provenBy).toEqual({ 'S-RCPT-NO-MAIL': ['rcpt-before-mail'], 'S-GREETING-ANY': [], 'S-WRONG': [] });
    expect(r.score).toEqual({ caught: 2, injected: 3 });
    expect(r.unproven).toEqual([{ id: 'S-GREETING-ANY', excepted: undefined }, { id: 'S-WRONG', excepted: undefined }]);
    expect(r.problems).toHaveLength(4);

    fs.writeFileSync(exceptions, 'exceptions:\n  - { id: S-GREETING-ANY, reason: "any greeting passes" }\n  - { id: S-RCPT-NO-MAIL, reason: stale }\n');
    const again = await runSelftest({ ...opts, faults: ['rcpt-before-mail'] });
    expect(again.unproven).toEqual([{ id: 'S-GREETING-ANY', excepted: 'any greeting passes' }, { id: 'S-WRONG', excepted: undefined }]);
    expect(again.staleExceptions).toEqual(['S-RCPT-NO-MAIL']);
    expect(selftestText(again)).toContain('Mutation score: 1/1 faults caught (100.0%)');
  });

  it('rejects a malformed exceptions file with E_SCENARIO', async () => {
    const suite = suiteFile('small.yaml', SMALL);
    const exceptions = path.join(path.dirname(suite), 'exceptions.yaml');
    fs.writeFileSync(exceptions, 'exceptions:\n  - { id: X }\n');
    await expect(runSelftest({ suites: [suite], faults: [], exceptionsFile: exceptions })).rejects.toMatchObject({ code: 'E_SCENARIO' });
  });
});

describe('selftest over the catalogue (suites/)', () => {
  it('the reference server passes everything, every fault is caught, every scenario is proven or excepted', { timeout: 240_000 }, async () => {
    const r = await runSelftest();
    // Figures for the report; the test does not time itself.
    console.log(
      `selftest: ${r.scenarioIds.length} scenarios, ${r.faults.length} faults, score ${r.score.caught}/${r.score.injected}, ` +
        `proven ${r.scenarioIds.length - r.unproven.length}, wall ${(r.durationMs / 1000).toFixed(1)} s`,
    );
    expect(r.reference.outcomes.filter((o) => o.status !== 'skipped')).toEqual([]);
    expect(r.faults.map((f) => f.fault)).toEqual(FAULT_NAMES);
    expect(r.uncaught).toEqual([]);
    expect(r.unproven.filter((u) => !u.excepted)).toEqual([]);
    expect(r.verdict).toBe('pass');
  });
});
