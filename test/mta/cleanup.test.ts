/**
 * A run that fails, is interrupted or forgets stop() leaves no container and
 * no MTA process behind; a start that is aborted or cannot happen leaves
 * nothing either, and says why with a stable code.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startContainerTarget } from '../../targets/container.ts';
import { EXIM, POSTFIX } from '../../targets/mta.ts';
import { resolveMtaTarget } from '../../targets/registry.ts';
import { containerUnavailable, nativeUnavailable, skipBecause } from './gate.ts';
import { assertNativeGone } from './native-checks.ts';
import { containerExists, containersOwnedBy } from './podman.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const CHILD = path.join(here, 'fixtures', 'start-target.ts');

interface ChildRun {
  started?: { port: number; containerId?: string; instanceDir?: string; pid?: number };
  code?: string;
  exit: number | null;
  signal: NodeJS.Signals | null;
  childPid: number;
  output: string;
}

/** Runs the fixture; with `interrupt`, sends it that signal once it has started. */
function runChild(target: string, mode: string, env: NodeJS.ProcessEnv = {}, interrupt?: NodeJS.Signals): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, target, mode], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const run: ChildRun = { exit: null, signal: null, childPid: child.pid!, output: '' };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`child did not finish in 120 s:\n${run.output}`));
    }, 120_000);
    child.stderr.on('data', (d: Buffer) => (run.output += d));
    child.stdout.on('data', (d: Buffer) => {
      run.output += d;
      const started = /^STARTED (.*)$/m.exec(run.output);
      if (started && !run.started) {
        run.started = JSON.parse(started[1]!);
        if (interrupt) child.kill(interrupt);
      }
      run.code ??= /^CODE (.*)$/m.exec(run.output)?.[1];
    });
    child.on('exit', (exit, signal) => {
      clearTimeout(timer);
      Object.assign(run, { exit, signal });
      resolve(run);
    });
  });
}

async function assertContainerGone(run: ChildRun): Promise<void> {
  expect(run.started?.containerId, run.output).toBeTruthy();
  expect(await containerExists(run.started!.containerId!)).toBe(false);
  expect(await containersOwnedBy(run.childPid)).toEqual([]);
}

const containersMissing = await containerUnavailable(POSTFIX);
const postfixNativeMissing = nativeUnavailable(POSTFIX);
const eximNativeMissing = nativeUnavailable(EXIM);

describe.skipIf(skipBecause('container cleanup tests', containersMissing))('container cleanup', () => {
  it('Ctrl-C (SIGINT) removes the container and still ends the process', async () => {
    const run = await runChild('postfix', 'wait', {}, 'SIGINT');
    expect(run.signal, run.output).toBe('SIGINT');
    await assertContainerGone(run);
  }, 150_000);

  it('an uncaught error after start removes the container', async () => {
    const run = await runChild('exim', 'throw');
    expect(run.exit, run.output).toBe(1);
    await assertContainerGone(run);
  }, 150_000);

  it('process.exit() without stop() removes the container', async () => {
    const run = await runChild('postfix:3.7', 'exit');
    expect(run.exit, run.output).toBe(0);
    await assertContainerGone(run);
  }, 150_000);

  it('a container whose owner was SIGKILLed is removed by the next start in another process', async () => {
    const killed = await runChild('exim', 'wait', {}, 'SIGKILL');
    expect(killed.signal, killed.output).toBe('SIGKILL');
    expect(await containerExists(killed.started!.containerId!)).toBe(true); // nothing could run in the child
    const next = await runChild('exim', 'exit');
    expect(next.exit, next.output).toBe(0);
    expect(await containerExists(killed.started!.containerId!)).toBe(false);
    await assertContainerGone(next);
  }, 150_000);

  it('a start aborted midway leaves no container', async () => {
    // Abort as soon as the container exists, before it is ready.
    const ac = new AbortController();
    const starting = resolveMtaTarget('exim')!.start({ signal: ac.signal });
    const deadline = Date.now() + 60_000;
    while ((await containersOwnedBy(process.pid)).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    ac.abort();
    await expect(starting).rejects.toMatchObject({ name: 'AbortError' });
    expect(await containersOwnedBy(process.pid)).toEqual([]);
  }, 150_000);

  it('a missing image is E_IMAGE_MISSING, and nothing is created', async () => {
    await expect(startContainerTarget({ ...POSTFIX, image: 'smtptest/no-such-mta:0.0' }, 'nothing')).rejects.toMatchObject({ code: 'E_IMAGE_MISSING' });
    expect(await containersOwnedBy(process.pid)).toEqual([]);
  });
});

describe('missing runtime or binaries', () => {
  // testcontainers falls back from DOCKER_HOST to /var/run/docker.sock and to
  // sockets under HOME and XDG_RUNTIME_DIR; only the first cannot be hidden.
  it.skipIf(fs.existsSync('/var/run/docker.sock'))('no container runtime is E_RUNTIME_MISSING', async () => {
    const nowhere = '/nonexistent/smtptest';
    const run = await runChild('postfix', 'code', { DOCKER_HOST: `unix://${nowhere}/docker.sock`, HOME: nowhere, XDG_RUNTIME_DIR: nowhere });
    expect(run.code, run.output).toBe('E_RUNTIME_MISSING');
  }, 150_000);

  it('no unpacked Exim is E_RUNTIME_MISSING', async () => {
    const run = await runChild('exim-native', 'code', { SMTPTEST_OPT: '/nonexistent/smtptest' });
    expect(run.code, run.output).toBe(process.getuid?.() === 0 ? 'E_RUNTIME_MISSING' : 'E_TARGET');
  }, 150_000);
});

describe.each([
  ['postfix-native', postfixNativeMissing],
  ['exim-native', eximNativeMissing],
])('%s cleanup', (target, missing) => {
  it.skipIf(skipBecause(`${target} cleanup tests`, missing))('Ctrl-C (SIGINT) stops the daemon and removes its directory', async () => {
    const run = await runChild(target, 'wait', {}, 'SIGINT');
    expect(run.signal, run.output).toBe('SIGINT');
    await assertNativeGone(run.started);
  }, 150_000);

  it.skipIf(skipBecause(`${target} cleanup tests`, missing))('an uncaught error after start stops the daemon and removes its directory', async () => {
    const run = await runChild(target, 'throw');
    expect(run.exit, run.output).toBe(1);
    await assertNativeGone(run.started);
    expect(fs.existsSync(run.started!.instanceDir!)).toBe(false);
  }, 150_000);
});
