/**
 * Suite order for the selftest: slowest suites first. Each run lasts at
 * least as long as its longest scenario (the idle-timeout ones wait seconds
 * even when scaled); started first, they overlap the rest instead of
 * trailing after it. Only the order changes, never what runs.
 */
import type { LoadedScenario, Suite } from '../scenario/schema.ts';
import { durationMs } from '../runner/expect.ts';

/** An upper bound of the time a scenario spends waiting on purpose (waits, silences, timeouts). */
export function plannedWaitMs(s: LoadedScenario, timeoutScale: number): number {
  let ms = 0;
  for (const step of s.steps) {
    if ('wait' in step) ms += durationMs(step.wait, timeoutScale);
    else if ('expect' in step && typeof step.expect === 'object' && !Array.isArray(step.expect)) {
      if (step.expect.noReplyWithin !== undefined) ms += durationMs(step.expect.noReplyWithin, timeoutScale);
      else if (step.expect.timeout !== undefined) ms += durationMs(step.expect.timeout, timeoutScale);
    } else if ('delivered' in step && step.delivered.count === 0) {
      ms += step.delivered.timeout !== undefined ? durationMs(step.delivered.timeout, timeoutScale) : 1000;
    }
  }
  return ms;
}

/** Suite files, the one holding the slowest scenario first. */
export function slowestFirst(suites: Suite[], timeoutScale: number): string[] {
  const cost = (s: Suite) => Math.max(0, ...s.scenarios.map((sc) => plannedWaitMs(sc, timeoutScale)));
  return [...suites].sort((a, b) => cost(b) - cost(a)).map((s) => s.file);
}
