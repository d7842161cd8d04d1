/** What a stopped native target must have left: nothing. */
import fs from 'node:fs';
import { expect } from 'vitest';
import type { StartedNativeTarget } from '../../targets/native.ts';

/** The daemon's process group (its workers too) has exited and the instance directory is gone. */
export async function assertNativeGone(t: unknown): Promise<void> {
  const { pid, instanceDir } = t as StartedNativeTarget;
  expect(pid).toBeGreaterThan(0);
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
