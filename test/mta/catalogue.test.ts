/**
 * The whole catalogue against each real MTA: no `errored` outcome, and the
 * outcomes equal the target's expectations file (targets/<name>/expectations.yaml).
 * A changed outcome in either direction is what a maintainer certifying a
 * release needs to see, so it fails here.
 */
import { describe, expect, it } from 'vitest';
import { runSuites } from '../../harness/runner/index.ts';
import { EXIM, POSTFIX, type MtaSpec } from '../../targets/mta.ts';
import { containerUnavailable, nativeUnavailable, skipBecause } from './gate.ts';

const cases: [string, MtaSpec, () => Promise<string | undefined> | string | undefined][] = [
  ['postfix', POSTFIX, () => containerUnavailable(POSTFIX)],
  ['exim', EXIM, () => containerUnavailable(EXIM)],
  ['postfix-native', POSTFIX, () => nativeUnavailable(POSTFIX)],
  ['exim-native', EXIM, () => nativeUnavailable(EXIM)],
];

for (const [name, , unavailable] of cases) {
  const skip = skipBecause(`the catalogue against ${name}`, await unavailable());
  describe.skipIf(skip)(`catalogue against ${name}`, () => {
    it('runs with no errored scenario and matches the expectations file', async () => {
      const run = await runSuites({ target: name, concurrency: 6 });
      const errored = run.scenarios.filter((r) => r.status === 'errored').map((r) => `${r.id}: ${r.status === 'errored' ? r.error.message : ''}`);
      expect(errored).toEqual([]);
      expect(run.expectations).toBe(`targets/${name.replace(/-native$/, '')}/expectations.yaml`);
      const unexpected = run.scenarios
        .filter((r) => r.asExpected === false)
        .map((r) => `${r.id}: ${r.status}${r.status === 'failed' ? ` (${r.failure.message}: ${r.failure.actual})` : ''}${r.knownDeviation ? `, documented ${r.knownDeviation.status}` : ''}`);
      expect(unexpected).toEqual([]);
      expect(run.verdict).toBe('pass');
    }, 180_000);
  });
}
