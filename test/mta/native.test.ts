/**
 * The native targets: this host's Postfix and an unpacked Exim as private
 * instances (scripts/install-native-mtas).
 */
import fs from 'node:fs';
import { expect } from 'vitest';
import { EXIM, POSTFIX } from '../../targets/mta.ts';
import type { StartedNativeTarget } from '../../targets/native.ts';
import { nativeUnavailable, skipBecause } from './gate.ts';
import { describeTarget } from './target-suite.ts';

/** The daemon's process group (its workers too) has exited and the instance directory is gone. */
export async function assertNativeGone(t: unknown): Promise<void> {
  const { pid, instanceDir } = t as StartedNativeTarget;
  const deadline = Date.now() + 10_000;
  while (groupAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  expect(groupAlive(pid)).toBe(false);
  expect(fs.existsSync(instanceDir)).toBe(false);
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

describeTarget('postfix-native', skipBecause('postfix-native tests', nativeUnavailable(POSTFIX)), { assertGone: assertNativeGone });
describeTarget('exim-native', skipBecause('exim-native tests', nativeUnavailable(EXIM)), { assertGone: assertNativeGone });
