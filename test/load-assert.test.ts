/**
 * --assert: each form passes and fails as stated; a failed one makes
 * `smtptest load` exit 1 and shows as a <failure> in --junit; the --json
 * output validates against the schema in harness/load/types.ts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.ts';
import { evaluate, parseAssertion } from '../harness/load/assert.ts';
import { runLoad } from '../harness/load/index.ts';
import { LoadResultSchema, type LoadResult } from '../harness/load/types.ts';
import { isSmtpTestError } from '../harness/errors.ts';

let result: LoadResult;
beforeAll(async () => {
  result = await runLoad({ target: 'sink:rcpt-5xx=10%,seed=3', connections: 4, messages: 500 });
});

const check = (expr: string) => evaluate(parseAssertion(expr), result);

describe('--assert', () => {
  it('reads the measured value each metric names', () => {
    const r = result;
    expect(r.messages.rejected).toBeGreaterThan(0);
    expect(check('p99.eod<100000ms').actual).toBe(r.phases.eod!.p99);
    expect(check('p97.5.rcpt<1s').actual).toBe(r.phases.rcpt!.p97_5);
    expect(check('p99.9<1s').actual).toBe(r.latency.p99_9);
    expect(check('max.connect<1s').actual).toBe(r.phases.connect!.max);
    expect(check('rate>=1/s').actual).toBe(Math.round(r.messages.perSecond * 1000) / 1000);
    const share = ((r.messages.rejected + r.messages.failed) / r.messages.total) * 100;
    expect(check('errors<100%').actual).toBeCloseTo(share, 2);
    expect(check('rejected<=1000').actual).toBe(r.messages.rejected);
  });

  it('passes and fails on either side of the measured value', () => {
    const p99 = result.phases.eod!.p99;
    expect(check(`p99.eod<${p99 + 1}ms`).passed).toBe(true);
    expect(check(`p99.eod<${p99}ms`).passed).toBe(false);
    expect(check(`p99.eod<=${p99}ms`).passed).toBe(true);
    expect(check(`p99.eod>${p99}ms`).passed).toBe(false);
    expect(check('errors<0.1%').passed).toBe(false); // 10% of recipients refused
    expect(check('errors<50%').passed).toBe(true);
    expect(check('rate>=100000000/s').passed).toBe(false);
    expect(check('failed<=0').passed).toBe(true);
    expect(check(`p99.eod<${(p99 + 1) / 1000}s`).passed).toBe(true);
  });

  it('fails an assertion on something not measured (no open loop, no service time)', () => {
    expect(check('p99.service<1s')).toMatchObject({ passed: false });
  });

  it('rejects malformed expressions with E_CONFIG', () => {
    for (const bad of ['p99.eod', 'p99.bogus<1ms', 'rate<5%', 'errors<5ms', 'nonsense>1', 'p99<5%']) {
      let err: unknown;
      try {
        parseAssertion(bad);
      } catch (e) {
        err = e;
      }
      expect(isSmtpTestError(err, 'E_CONFIG'), bad).toBe(true);
    }
  });

  it('gives a result that validates against the load JSON schema', () => {
    expect(LoadResultSchema.safeParse(JSON.parse(JSON.stringify(result))).success).toBe(true);
  });
});

describe('smtptest load (CLI)', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'load-cli-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const run = async (...asserts: string[]) => {
    const json = path.join(dir, 'load.json');
    const junit = path.join(dir, 'junit.xml');
    const { code, text } = await runCli(['load', '-t', 'sink', '-c', '2', '-m', '200', '--no-progress', '--json', json, '--junit', junit, ...asserts.flatMap((a) => ['--assert', a])]);
    return { code, json: JSON.parse(fs.readFileSync(json, 'utf8')) as unknown, junit: new XMLParser({ ignoreAttributes: false }).parse(fs.readFileSync(junit, 'utf8')), out: text };
  };

  it('exits 0 when every assertion holds, and writes a valid JSON', async () => {
    const r = await run('errors<0.1%', 'p99.eod<60s');
    expect(r.code).toBe(0);
    expect(LoadResultSchema.safeParse(r.json).success).toBe(true);
    expect(r.junit.testsuites['@_failures']).toBe('0');
    expect(r.out).toMatch(/latency \(ms\)/);
    // The sink ran in this process: the harness line says its CPU is counted there too.
    expect(r.out).toMatch(/harness .* ms per 1000 messages\); the in-process target included/);
    expect((r.json as LoadResult).target.inProcess).toBe(true);
  });

  it('exits 1 when one fails, and the JUnit file shows that one as a failure', async () => {
    const r = await run('errors<0.1%', 'rate>=100000000/s');
    expect(r.code).toBe(1);
    expect(r.junit.testsuites['@_failures']).toBe('1');
    const cases = r.junit.testsuites.testsuite.testcase as { '@_name': string; failure?: unknown }[];
    expect(cases.map((c) => [c['@_name'], c.failure !== undefined])).toEqual([
      ['errors<0.1%', false],
      ['rate>=100000000/s', true],
    ]);
  });

  it('exits 2 on a malformed assertion, before any load', async () => {
    expect((await runCli(['load', '-t', 'sink', '-m', '10', '--assert', 'p99.eod'])).code).toBe(2);
  });
});
