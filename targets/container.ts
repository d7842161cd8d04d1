/**
 * Container targets: a real MTA in an image built by scripts/build-images,
 * started through testcontainers (Docker or podman's Docker API), port 25
 * published on 127.0.0.1 only, ready when a connection reads 220, removed on
 * stop(), on a failed start, and on Ctrl-C or exit (targets/cleanup.ts).
 *
 * testcontainers' reaper (Ryuk) is not used: it is one more image to pull,
 * and podman runs it poorly. Instead every container carries an owner label
 * (host and pid); a later start removes those whose owner is gone (SIGKILL).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import { spawnSync } from 'node:child_process';
import {
  GenericContainer,
  getContainerRuntimeClient,
  ImageName,
  type BoundPorts,
  type ContainerRuntimeClient,
  type StartedTestContainer,
  type WaitStrategy,
} from 'testcontainers';
import type Dockerode from 'dockerode';
import { SmtpTestError, isSmtpTestError } from '../harness/errors.ts';
import { onProcessExit } from './cleanup.ts';
import { checkToken, type MaildirFile } from './maildir.ts';
import { CONTAINER_MAILDIR, mtaFacts, mtaMailbox, timeoutSeconds, type MtaSpec } from './mta.ts';
import { waitForGreeting } from './ready.ts';
import type { StartedTarget, TargetStartOptions } from './types.ts';

const LABEL_INSTANCE = 'org.smtptest.instance';
const LABEL_OWNER = 'org.smtptest.owner';
const OWNER = `${os.hostname()} ${process.pid}`;
/** Where scripts/setup-container-runtime starts podman's API. */
export const PODMAN_SOCKET = '/run/podman/podman.sock';
const START_TIMEOUT_MS = 60_000;

/** With no DOCKER_HOST and no Docker socket, use podman's socket if it is there. */
function useRuntimeEnv(): void {
  if (process.env.DOCKER_HOST || fs.existsSync('/var/run/docker.sock')) return;
  if (fs.existsSync(PODMAN_SOCKET)) process.env.DOCKER_HOST = `unix://${PODMAN_SOCKET}`;
}

/** The container runtime client, or E_RUNTIME_MISSING. */
export async function runtimeClient(): Promise<ContainerRuntimeClient> {
  useRuntimeEnv();
  try {
    return await getContainerRuntimeClient();
  } catch (e) {
    throw new SmtpTestError(
      'E_RUNTIME_MISSING',
      'no container runtime answers (Docker or podman): run `eval "$(scripts/setup-container-runtime)"` as root, or start Docker',
      { cause: e },
    );
  }
}

/** Ready = a connection to the published port 25 reads a 220 greeting. */
class GreetingWaitStrategy implements WaitStrategy {
  private startupTimeoutMs = START_TIMEOUT_MS;
  private timeoutSet = false;
  constructor(private readonly signal?: AbortSignal) {}
  withStartupTimeout(ms: number): this {
    this.startupTimeoutMs = ms;
    this.timeoutSet = true;
    return this;
  }
  isStartupTimeoutSet(): boolean {
    return this.timeoutSet;
  }
  getStartupTimeout(): number {
    return this.startupTimeoutMs;
  }
  async waitUntilReady(container: Dockerode.Container, boundPorts: BoundPorts): Promise<void> {
    await waitForGreeting('127.0.0.1', boundPorts.getBinding(25), {
      timeoutMs: this.startupTimeoutMs,
      signal: this.signal,
      gone: async () => {
        const { State } = await container.inspect();
        return State.Running ? undefined : `container exited with code ${State.ExitCode}`;
      },
    });
  }
}

/** GenericContainer with port 25 published on 127.0.0.1 alone (the default binds every interface). */
class LoopbackContainer extends GenericContainer {
  constructor(image: string) {
    super(image);
    this.withExposedPorts(25);
    this.hostConfig.PortBindings = { '25/tcp': [{ HostIp: '127.0.0.1', HostPort: '0' }] };
  }
}

/** A started container target; `containerId` is for diagnostics and tests. */
export interface StartedContainerTarget extends StartedTarget {
  readonly containerId: string;
}

/** Starts `spec`'s image; see the file comment. */
export async function startContainerTarget(spec: MtaSpec, name: string, opts: TargetStartOptions = {}): Promise<StartedContainerTarget> {
  opts.signal?.throwIfAborted();
  const client = await runtimeClient();
  await removeOrphans(client);
  const imageName = ImageName.fromString(spec.image);
  if (!(await client.image.exists(imageName))) {
    throw new SmtpTestError('E_IMAGE_MISSING', `image ${spec.image} is not built: run scripts/build-images ${spec.kind}`);
  }
  const labels = (await client.image.inspect(imageName)).Config.Labels ?? {};
  const version = labels['org.smtptest.package-version'] ?? spec.image.split(':')[1];

  const instance = crypto.randomUUID();
  const untrack = onProcessExit(`container ${spec.image}`, () => removeByLabelSync(instance));
  const timeoutS = timeoutSeconds(opts.timeoutScale);
  const container = new LoopbackContainer(spec.image)
    .withLabels({ [LABEL_INSTANCE]: instance, [LABEL_OWNER]: OWNER })
    .withAutoCleanup(false)
    .withWaitStrategy(new GreetingWaitStrategy(opts.signal))
    .withStartupTimeout(START_TIMEOUT_MS);
  if (timeoutS !== undefined) container.withEnvironment({ SMTPTEST_SMTPD_TIMEOUT: String(timeoutS) });

  let started: StartedTestContainer;
  try {
    started = await container.start();
    opts.signal?.throwIfAborted();
  } catch (e) {
    await removeByLabel(client, instance).catch(() => removeByLabelSync(instance));
    untrack();
    if (isSmtpTestError(e) || (e as Error).name === 'AbortError') throw e;
    throw new SmtpTestError('E_TARGET', `${name}: container did not start: ${(e as Error).message}`, { cause: e });
  }

  let stopping: Promise<void> | undefined;
  return {
    name,
    containerId: started.getId(),
    host: '127.0.0.1',
    port: started.getMappedPort(25),
    tls: 'none',
    description: `${spec.product} ${version} (Debian bookworm) in container ${spec.image}`,
    facts: mtaFacts(spec, timeoutS),
    mailbox: mtaMailbox(spec, (token) => readContainerMaildir(started, spec, token)),
    stop() {
      stopping ??= (async () => {
        try {
          await started.stop();
        } catch {
          await removeByLabel(client, instance).catch(() => removeByLabelSync(instance));
        } finally {
          untrack();
        }
      })();
      return stopping;
    },
  };
}

/**
 * The image's maildir, read through `exec`: files containing the token, as
 * base64 (exec output is text). One exec per find().
 */
async function readContainerMaildir(container: StartedTestContainer, spec: MtaSpec, token: string): Promise<MaildirFile[]> {
  checkToken(token);
  const script = [
    'cd "$1" || exit 3',
    'LC_ALL=C grep -rlF -- "$2" new cur | while IFS= read -r f; do',
    '  printf "%s %s %s\\n" "$(stat -c %.9Y "$f")" "$f" "$(base64 -w0 "$f")"',
    'done',
  ].join('\n');
  const r = await container.exec(['sh', '-c', script, 'sh', CONTAINER_MAILDIR, token]);
  if (r.exitCode !== 0 && r.stdout === '') {
    throw new SmtpTestError('E_TARGET', `reading ${spec.image}'s maildir failed (exit ${r.exitCode}): ${r.stderr.trim()}`);
  }
  const files: MaildirFile[] = [];
  for (const line of r.stdout.split('\n')) {
    const [mtime, file, b64] = line.split(' ');
    if (mtime && file && b64 !== undefined) files.push({ file, mtimeMs: Number(mtime) * 1000, stored: Buffer.from(b64, 'base64') });
  }
  return files;
}

async function removeByLabel(client: ContainerRuntimeClient, instance: string): Promise<void> {
  const found = await client.container.dockerode.listContainers({ all: true, filters: { label: [`${LABEL_INSTANCE}=${instance}`] } });
  for (const c of found) await client.container.dockerode.getContainer(c.Id).remove({ force: true, v: true });
}

let orphansChecked = false;

/** Removes containers whose owner process on this host is gone (once per process). */
async function removeOrphans(client: ContainerRuntimeClient): Promise<void> {
  if (orphansChecked) return;
  orphansChecked = true;
  const found = await client.container.dockerode.listContainers({ all: true, filters: { label: [LABEL_OWNER] } });
  for (const c of found) {
    const [host, pid] = (c.Labels[LABEL_OWNER] ?? '').split(' ');
    if (host !== os.hostname() || !pid || isAlive(Number(pid))) continue;
    await client.container.dockerode.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Synchronous removal for exit and signal hooks: a child node process lists
 * and force-removes the instance's containers over the Docker API.
 */
function removeByLabelSync(instance: string): void {
  const script = `
    const http = require('node:http');
    const [host, filter] = process.argv.slice(1);
    const u = new URL(host);
    const base = u.protocol === 'unix:' ? { socketPath: u.pathname } : { host: u.hostname, port: u.port || 2375 };
    const call = (method, path) => new Promise((resolve, reject) => {
      const req = http.request({ ...base, method, path }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve(body));
      });
      req.on('error', reject);
      req.end();
    });
    (async () => {
      const list = JSON.parse(await call('GET', '/containers/json?all=1&filters=' + encodeURIComponent(JSON.stringify({ label: [filter] }))));
      for (const c of list) await call('DELETE', '/containers/' + c.Id + '?force=1&v=1');
    })().catch(() => process.exit(1));`;
  const host = process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
  spawnSync(process.execPath, ['-e', script, host, `${LABEL_INSTANCE}=${instance}`], { stdio: 'ignore', timeout: 20_000 });
}
