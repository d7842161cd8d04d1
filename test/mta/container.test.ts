/**
 * The container targets against real Postfix and Exim (images from
 * scripts/build-images, run by podman or Docker through testcontainers).
 */
import { afterAll, expect } from 'vitest';
import type { StartedContainerTarget } from '../../targets/container.ts';
import { EXIM, POSTFIX } from '../../targets/mta.ts';
import { containerUnavailable, skipBecause } from './gate.ts';
import { containerExists, containersOwnedBy } from './podman.ts';
import { describeTarget } from './target-suite.ts';

const assertGone = async (t: unknown) => {
  expect(await containerExists((t as StartedContainerTarget).containerId)).toBe(false);
};

describeTarget('postfix', skipBecause('postfix container tests', await containerUnavailable(POSTFIX)), { assertGone });
describeTarget('exim:4.96', skipBecause('exim container tests', await containerUnavailable(EXIM)), { assertGone });

afterAll(async () => {
  if ((await containerUnavailable(POSTFIX)) && (await containerUnavailable(EXIM))) return;
  expect(await containersOwnedBy(process.pid)).toEqual([]);
});
