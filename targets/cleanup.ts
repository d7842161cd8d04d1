/**
 * Process-exit hooks for what targets start outside this process (containers,
 * MTA daemons): Ctrl-C, SIGTERM or a plain process.exit() must not leave them
 * behind. Each started thing registers a synchronous release; the hooks run
 * every release still registered, then let the signal do what it would have.
 *
 * Releases are synchronous because an 'exit' listener cannot await, and a
 * signal may be followed closely by SIGKILL from a test runner.
 */

type Release = () => void;

const live = new Map<number, { what: string; release: Release }>();
let nextId = 1;
let installed = false;
let exitHooked = false;
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Registers `release` to run if the process exits or is signalled while the
 * resource is live. Returns the unregister function (call it once stopped).
 */
export function onProcessExit(what: string, release: Release): () => void {
  install();
  const id = nextId++;
  live.set(id, { what, release });
  return () => {
    live.delete(id);
  };
}

function releaseAll(): void {
  for (const [id, { what, release }] of [...live]) {
    live.delete(id);
    try {
      release();
    } catch (e) {
      process.stderr.write(`smtptest: could not clean up ${what}: ${(e as Error).message}\n`);
    }
  }
}

function onSignal(signal: NodeJS.Signals): void {
  const hadWork = live.size > 0;
  if (hadWork) process.stderr.write(`smtptest: ${signal}: removing ${live.size} started target(s)\n`);
  releaseAll();
  for (const s of SIGNALS) process.removeListener(s, onSignal);
  installed = false;
  // With no other listener the default action (exit) applies again: re-raise.
  // A listener after us (say signal-exit's, which re-raises only when it is
  // alone) runs in this same emit and sees us gone.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function install(): void {
  if (installed) return;
  installed = true;
  // First in line, so polite listeners after us see only themselves.
  for (const s of SIGNALS) process.prependListener(s, onSignal);
  if (!exitHooked) process.on('exit', releaseAll);
  exitHooked = true;
}
