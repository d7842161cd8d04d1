/**
 * Native targets: this host's MTA binaries run as a private instance (own
 * config, queue and maildir in a temporary directory), listening on a free
 * 127.0.0.1 port. The daemon is our child process; stop(), a failed start,
 * Ctrl-C and exit all kill it and remove the directory.
 *
 * The per-MTA parts are targets/postfix/native.ts and targets/exim/native.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SmtpTestError, isSmtpTestError } from '../harness/errors.ts';
import { onProcessExit } from './cleanup.ts';
import { readLocalMaildir } from './maildir.ts';
import { mtaFacts, mtaMailbox, timeoutSeconds, type MtaSpec } from './mta.ts';
import { freeLoopbackPort, waitForGreeting } from './ready.ts';
import type { StartedTarget, TargetStartOptions } from './types.ts';

/** Where scripts/install-native-mtas puts Exim and the TLS certificate. */
export const OPT_DIR = process.env.SMTPTEST_OPT ?? '/opt/smtptest';
export const TLS_CERT = path.join(OPT_DIR, 'tls', 'cert.pem');
export const TLS_KEY = path.join(OPT_DIR, 'tls', 'key.pem');

const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;
const PORT_ATTEMPTS = 3;

/** What an MTA module supplies: how to lay out an instance directory and run the daemon. */
export interface NativeMta {
  spec: MtaSpec;
  /** Fails with E_RUNTIME_MISSING when the binaries or users are not installed; else describes them in one line. */
  check(): string;
  /** Writes config and directories into `dir`; returns the daemon's argv and its maildir. */
  prepare(dir: string, port: number, timeoutS: number | undefined): { argv: string[]; maildir: string };
}

/** A started native target; `instanceDir` and `pid` (the daemon's) are for diagnostics and tests. */
export interface StartedNativeTarget extends StartedTarget {
  readonly instanceDir: string;
  readonly pid: number;
}

/** Starts a private instance of `mta`; see the file comment. */
export async function startNative(mta: NativeMta, name: string, opts: TargetStartOptions = {}): Promise<StartedNativeTarget> {
  opts.signal?.throwIfAborted();
  if (process.getuid?.() !== 0) {
    throw new SmtpTestError('E_TARGET', `${name}: a private ${mta.spec.product} instance must be started as root`);
  }
  const description = mta.check();
  const timeoutS = timeoutSeconds(opts.timeoutScale);
  let lastError: unknown;
  for (let attempt = 1; attempt <= PORT_ATTEMPTS; attempt++) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `smtptest-${mta.spec.kind}-`));
    fs.chmodSync(dir, 0o755); // the MTA's unprivileged processes walk into it
    const port = await freeLoopbackPort();
    let daemon: Daemon | undefined;
    let untrack = () => {};
    try {
      const { argv, maildir } = mta.prepare(dir, port, timeoutS);
      daemon = new Daemon(argv, path.join(dir, 'daemon.out'));
      const d = daemon;
      untrack = onProcessExit(`${name} in ${dir}`, () => {
        d.killSync();
        fs.rmSync(dir, { recursive: true, force: true });
      });
      await waitForGreeting('127.0.0.1', port, { timeoutMs: START_TIMEOUT_MS, signal: opts.signal, gone: () => d.exitReason() });
      return started(name, mta.spec, description, port, dir, maildir, daemon, untrack, timeoutS);
    } catch (e) {
      const died = daemon?.exitReason() !== undefined;
      await daemon?.stop(STOP_TIMEOUT_MS);
      untrack();
      const out = readTail(path.join(dir, 'daemon.out'));
      fs.rmSync(dir, { recursive: true, force: true });
      if (!isSmtpTestError(e, 'E_TARGET') || !died) throw withOutput(e, out);
      lastError = withOutput(e, out); // the daemon died: perhaps the port was taken meanwhile
    }
  }
  throw lastError;
}

function started(
  name: string,
  spec: MtaSpec,
  description: string,
  port: number,
  dir: string,
  maildir: string,
  daemon: Daemon,
  untrack: () => void,
  timeoutS: number | undefined,
): StartedNativeTarget {
  let stopping: Promise<void> | undefined;
  return {
    name,
    instanceDir: dir,
    pid: daemon.pid,
    host: '127.0.0.1',
    port,
    tls: 'none',
    description,
    facts: mtaFacts(spec, timeoutS),
    mailbox: mtaMailbox(spec, (token) => readLocalMaildir(maildir, token)),
    stop() {
      stopping ??= (async () => {
        await daemon.stop(STOP_TIMEOUT_MS);
        untrack();
        fs.rmSync(dir, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
}

/**
 * The MTA's foreground daemon, a child of this process leading its own
 * process group (Postfix's master signals its group on SIGTERM; signals to
 * the group reach the MTA's worker processes too), output to a file.
 */
class Daemon {
  private readonly child: ChildProcess;
  private exit?: string;
  private readonly exited: Promise<void>;

  constructor(argv: string[], outFile: string) {
    const out = fs.openSync(outFile, 'a');
    this.child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', out, out], detached: true });
    fs.closeSync(out);
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        this.exit = signal ? `exited on ${signal}` : `exited with code ${code}`;
        resolve();
      });
      this.child.on('error', (e) => {
        this.exit = `could not run ${argv[0]}: ${e.message}`;
        resolve();
      });
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** Why the daemon is gone, or undefined while it runs. */
  exitReason(): string | undefined {
    return this.exit;
  }

  async stop(timeoutMs: number): Promise<void> {
    if (this.exit !== undefined) return;
    this.signal('SIGTERM');
    const timer = setTimeout(() => this.signal('SIGKILL'), timeoutMs);
    await this.exited;
    clearTimeout(timer);
  }

  killSync(): void {
    if (this.exit === undefined) this.signal('SIGKILL');
  }

  private signal(sig: NodeJS.Signals): void {
    try {
      process.kill(-this.child.pid!, sig);
    } catch {
      this.child.kill(sig);
    }
  }
}

function readTail(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').slice(-2000).trim();
  } catch {
    return '';
  }
}

function withOutput(e: unknown, out: string): unknown {
  if (!out || !(e instanceof Error)) return e;
  e.message += `\n--- daemon output ---\n${out}`;
  return e;
}

/** E_RUNTIME_MISSING unless every path exists. */
export function requireFiles(product: string, files: string[]): void {
  const missing = files.filter((f) => !fs.existsSync(f));
  if (missing.length) {
    throw new SmtpTestError('E_RUNTIME_MISSING', `${product} is not installed for native runs (missing ${missing.join(', ')}): run scripts/install-native-mtas as root`);
  }
}

/** uid and gid of a user in /etc/passwd, or E_RUNTIME_MISSING. */
export function systemUser(product: string, user: string): { uid: number; gid: number } {
  const line = fs
    .readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${user}:`));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (uid === undefined || gid === undefined) {
    throw new SmtpTestError('E_RUNTIME_MISSING', `${product} needs the system user ${user}: run scripts/install-native-mtas as root`);
  }
  return { uid: Number(uid), gid: Number(gid) };
}

/** gid of a group in /etc/group, or E_RUNTIME_MISSING. */
export function systemGroup(product: string, group: string): number {
  const line = fs
    .readFileSync('/etc/group', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${group}:`));
  const gid = line?.split(':')[2];
  if (gid === undefined) {
    throw new SmtpTestError('E_RUNTIME_MISSING', `${product} needs the system group ${group}: run scripts/install-native-mtas as root`);
  }
  return Number(gid);
}

/** mkdir -p, then chown the leaf and everything under it. */
export function ownedDirs(root: string, subdirs: string[], owner: { uid: number; gid: number }): void {
  for (const sub of subdirs) fs.mkdirSync(path.join(root, sub), { recursive: true });
  const walk = (p: string) => {
    fs.chownSync(p, owner.uid, owner.gid);
    if (fs.statSync(p).isDirectory()) for (const c of fs.readdirSync(p)) walk(path.join(p, c));
  };
  walk(root);
}
