/**
 * runLoad(): the load run as a function. The CLI (`smtptest load`) is a thin
 * layer over it; tests call it directly.
 *
 * Threads: with --workers 1 (the default) the engine runs in this thread;
 * with N, each worker thread runs every Nth connection and every Nth
 * scheduled message, and sends back its histograms as their non-zero
 * buckets, which are added here.
 */
import { Worker } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { SmtpTestError } from '../errors.ts';
import { BUNDLED } from '../paths.ts';
import { resolveTarget } from '../../targets/resolve.ts';
import type { StartedTarget } from '../../targets/types.ts';
import { toolInfo } from '../version.ts';
import { evaluate, parseAssertion } from './assert.ts';
import { LoadEngine, PROGRESS_FIELDS, type EngineConfig } from './engine.ts';
import { mergeSnapshots } from './merge.ts';
import { formatDistribution, parseDistribution } from './random.ts';
import type { RecorderSnapshot } from './recorder.ts';
import type { LoadOptions, LoadResult } from './types.ts';

export type { LoadOptions, LoadResult } from './types.ts';
// The JSON schema (zod) is in ./types.ts: not re-exported, so that a run does not load zod.
export { PHASES } from './phases.ts';

const epochNow = () => performance.timeOrigin + performance.now();
const DEFAULT_DURATION_S = 10;

/** Runs a load test and returns its result (assertions evaluated, not acted on). */
export async function runLoad(options: LoadOptions = {}): Promise<LoadResult> {
  const o = checkOptions(options);
  const assertions = (options.assert ?? []).map(parseAssertion);
  const { started: target, owned } = await start(options.target);
  try {
    const domain = target.facts.domain ?? 'smtptest.example';
    // The scenario loader (yaml, zod) only when there is a workload.
    const workload = options.workload ? await (await import('./workload.ts')).loadWorkload(options.workload, domain, target.facts.recipient ?? `user@${domain}`, target.facts.auth) : undefined;
    const auth = sessionAccount(options, target);
    const usage0 = process.resourceUsage();
    const budget = o.model === 'closed' && o.messages !== undefined ? new SharedArrayBuffer(4) : undefined;
    if (budget) new Int32Array(budget)[0] = o.messages!;
    // Progress figures are published only for a watcher (a live line): without one, the engines skip that work.
    const progress = options.onProgress ? new SharedArrayBuffer(o.workers * PROGRESS_FIELDS * 8) : undefined;
    const base: Omit<EngineConfig, 'workerIndex' | 'connections' | 'runStartEpoch'> = {
      host: target.host,
      port: target.port,
      domain,
      model: o.model,
      rate: options.rate,
      workers: o.workers,
      warmupMs: o.warmupS * 1000,
      durationMs: o.durationS !== undefined ? o.durationS * 1000 : undefined,
      messages: o.messages,
      perConnection: o.perConnection,
      size: o.size,
      rcpts: o.rcpts,
      pipelining: options.pipelining ?? false,
      starttls: options.starttls ?? false,
      ...(auth ? { auth } : {}),
      timeoutMs: o.timeoutMs,
      lateThresholdMs: options.lateThresholdMs ?? 2,
      seed: options.seed ?? 1,
      budget,
      progress,
      workload,
    };
    const share = (i: number) => Math.floor(o.connections / o.workers) + (i < o.connections % o.workers ? 1 : 0);
    const configs = (runStartEpoch: number): EngineConfig[] =>
      Array.from({ length: o.workers }, (_, i) => ({
        ...base,
        workerIndex: i,
        connections: share(i),
        runStartEpoch,
        hardStopEpoch: o.durationS !== undefined ? runStartEpoch + (o.warmupS + o.durationS) * 1000 + o.timeoutMs + 2000 : undefined,
      }));

    const startedAt = new Date();
    let runStartEpoch = 0;
    let ticker: NodeJS.Timeout | undefined;
    const watch = () => {
      if (!options.onProgress || !progress) return;
      const view = new Float64Array(progress);
      let last = { at: epochNow(), n: 0 };
      ticker = setInterval(() => {
        const now = epochNow();
        let n = 0, acc = 0, err = 0, p99 = 0;
        for (let w = 0; w < o.workers; w++) {
          n += view[w * PROGRESS_FIELDS]!;
          acc += view[w * PROGRESS_FIELDS + 1]!;
          err += view[w * PROGRESS_FIELDS + 2]!;
          p99 = Math.max(p99, view[w * PROGRESS_FIELDS + 3]!);
        }
        const rate = now > last.at ? ((acc - last.n) * 1000) / (now - last.at) : 0;
        last = { at: now, n: acc };
        options.onProgress!({ elapsedMs: now - runStartEpoch, warmup: now < runStartEpoch + o.warmupS * 1000, messages: n, accepted: acc, errors: err, ratePerS: rate, p99Ms: p99 });
      }, 500);
    };

    // CPU at the start of the measured window (after the warm-up), to report what the measured messages cost.
    let usageMeasured: NodeJS.ResourceUsage | undefined;
    let measureTimer: NodeJS.Timeout | undefined;
    const markMeasured = () => {
      if (o.warmupS > 0) measureTimer = setTimeout(() => (usageMeasured = process.resourceUsage()), runStartEpoch + o.warmupS * 1000 - epochNow());
    };

    let snapshots: RecorderSnapshot[];
    try {
      if (o.workers === 1) {
        runStartEpoch = epochNow() + 5;
        markMeasured();
        watch();
        snapshots = [await new LoadEngine(configs(runStartEpoch)[0]!).run()];
      } else {
        const pool = await spawnWorkers(o.workers);
        runStartEpoch = epochNow() + 20;
        markMeasured();
        watch();
        snapshots = await Promise.all(configs(runStartEpoch).map((cfg, i) => pool[i]!.run(cfg)));
      }
    } finally {
      clearInterval(ticker);
      clearTimeout(measureTimer);
    }
    const usage1 = process.resourceUsage();
    // No warm-up: the measured window is the run. A run that ended within its warm-up measured nothing.
    const fromMeasured = o.warmupS > 0 ? usageMeasured ?? usage1 : usage0;
    const m = mergeSnapshots(snapshots, runStartEpoch + o.warmupS * 1000, o.model === 'open');
    const result: LoadResult = {
      schemaVersion: 1,
      tool: toolInfo(),
      target: { name: target.name, host: target.host, port: target.port, description: target.description, ...(target.inProcess ? { inProcess: true } : {}) },
      startedAt: startedAt.toISOString(),
      measuredFrom: new Date(Math.round(runStartEpoch + o.warmupS * 1000)).toISOString(),
      model: o.model,
      connections: o.connections,
      workers: o.workers,
      options: {
        messages: o.messages,
        durationS: o.durationS,
        rate: options.rate,
        perConnection: o.perConnection ? formatDistribution(o.perConnection) : 'unlimited',
        size: formatDistribution(o.size),
        rcpts: o.rcpts,
        pipelining: options.pipelining ?? false,
        starttls: options.starttls ?? false,
        ...(auth ? { auth: true } : {}),
        warmupS: o.warmupS,
        workload: options.workload,
      },
      durationMs: m.durationMs,
      messages: m.messages,
      sessions: m.sessions,
      latency: m.latency,
      serviceTime: m.serviceTime,
      phases: m.phases,
      schedule: o.model === 'open' ? { rate: options.rate!, lateThresholdMs: base.lateThresholdMs, ...m.schedule } : undefined,
      replies: m.replies,
      errors: m.errors,
      timeline: m.timeline,
      histograms: m.histograms,
      resources: {
        peakRssBytes: usage1.maxRSS * 1024,
        cpuUserMs: Math.round((usage1.userCPUTime - usage0.userCPUTime) / 1000),
        cpuSystemMs: Math.round((usage1.systemCPUTime - usage0.systemCPUTime) / 1000),
        measuredCpuUserMs: Math.round((usage1.userCPUTime - fromMeasured.userCPUTime) / 1000),
        measuredCpuSystemMs: Math.round((usage1.systemCPUTime - fromMeasured.systemCPUTime) / 1000),
      },
      assertions: [],
    };
    result.assertions = assertions.map((a) => evaluate(a, result));
    return result;
  } finally {
    if (owned) await target.stop();
  }
}

/**
 * The account the sessions authenticate with, if they do: asked for with
 * `auth`, or by default when the target URL carries USER:PASSWORD@ (a
 * submission server wants it). A workload scenario sends its own AUTH.
 */
function sessionAccount(options: LoadOptions, target: StartedTarget): { user: string; password: string } | undefined {
  if (options.auth === false) return undefined;
  if (options.auth === true) {
    if (options.workload) throw new SmtpTestError('E_CONFIG', '--auth: a workload scenario sends its own AUTH ({{authPlain}} and the like)');
    if (!target.facts.auth) throw new SmtpTestError('E_CONFIG', `--auth: target ${target.name} has no AUTH account (give one as smtp://USER:PASSWORD@host:port)`);
    return target.facts.auth;
  }
  const fromUrl = typeof options.target === 'string' && /^smtps?:\/\/[^/?#]*@/i.test(options.target);
  return fromUrl && !options.workload ? target.facts.auth : undefined;
}

interface Checked {
  model: 'closed' | 'open';
  connections: number;
  workers: number;
  messages?: number;
  durationS?: number;
  warmupS: number;
  rcpts: number;
  timeoutMs: number;
  size: ReturnType<typeof parseDistribution>;
  perConnection?: ReturnType<typeof parseDistribution>;
}

function checkOptions(options: LoadOptions): Checked {
  const bad = (why: string) => new SmtpTestError('E_CONFIG', why);
  const int = (v: number | undefined, name: string, min: number, dflt: number) => {
    const n = v ?? dflt;
    if (!Number.isInteger(n) || n < min) throw bad(`${name} must be an integer >= ${min}`);
    return n;
  };
  if (options.messages !== undefined && options.durationS !== undefined) throw bad('give --messages or --duration, not both');
  if (options.rate !== undefined && !(options.rate > 0)) throw bad('--rate must be > 0');
  if (options.durationS !== undefined && !(options.durationS > 0)) throw bad('--duration must be > 0');
  const connections = int(options.connections, '--connections', 1, 10);
  const workers = int(options.workers, '--workers', 1, 1);
  if (workers > connections) throw bad('--workers cannot exceed --connections');
  const messages = options.messages !== undefined ? int(options.messages, '--messages', 1, 1) : undefined;
  const warmupS = options.warmupS ?? 0;
  if (!(warmupS >= 0)) throw bad('--warmup must be >= 0');
  const per = options.perConnection && options.perConnection !== 'unlimited' ? parseDistribution(options.perConnection, '--per-connection') : undefined;
  return {
    model: options.rate !== undefined ? 'open' : 'closed',
    connections,
    workers,
    messages,
    durationS: messages === undefined ? (options.durationS ?? DEFAULT_DURATION_S) : undefined,
    warmupS,
    rcpts: int(options.rcpts, '--rcpts', 1, 1),
    timeoutMs: options.timeoutMs ?? 10_000,
    size: parseDistribution(options.size ?? '1000', '--size'),
    perConnection: per,
  };
}

async function start(t: LoadOptions['target']): Promise<{ started: StartedTarget; owned: boolean }> {
  if (typeof t === 'object') return { started: t, owned: false };
  const target = await resolveTarget(t ?? 'sink');
  return { started: await target.start(), owned: true };
}

interface PooledWorker {
  run(cfg: EngineConfig): Promise<RecorderSnapshot>;
}

/** Starts N worker threads and waits until each has loaded the engine. */
async function spawnWorkers(n: number): Promise<PooledWorker[]> {
  // The bundle has the worker as an entry of its own (scripts/build.mjs); the sources boot tsx first.
  const url = BUNDLED ? new URL('./load-worker.js', import.meta.url) : new URL('./worker-boot.mjs', import.meta.url);
  return Promise.all(
    Array.from({ length: n }, () => {
      const w = new Worker(url);
      return new Promise<PooledWorker>((resolve, reject) => {
        w.once('error', reject);
        w.once('message', () =>
          resolve({
            run: (cfg) =>
              new Promise<RecorderSnapshot>((res, rej) => {
                w.on('error', rej);
                w.on('message', (msg: { kind: 'done'; snapshot: RecorderSnapshot } | { kind: 'error'; message: string }) => {
                  void w.terminate();
                  if (msg.kind === 'done') res(msg.snapshot);
                  else rej(new Error(`load worker failed: ${msg.message}`));
                });
                w.postMessage(cfg);
              }),
          }),
        );
      });
    }),
  );
}
