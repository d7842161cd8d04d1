/**
 * One engine per thread: its share of the connections and of the schedule.
 *
 * Closed loop: each connection takes the next message as soon as it is free;
 * a message budget (-m) is shared by all threads through one atomic counter.
 *
 * Open loop: message i is due at t0 + i/rate (i = this worker's index, then
 * every `workers`-th), whatever the server is doing. A due message goes to an
 * idle session, else to a connection with no session, else waits in a
 * backlog; its latency is measured from when it was due (corrected), and
 * its service time from when it actually started, as wrk2 does. Timers fire
 * at the next due time, never on whole-second buckets.
 */
import { performance } from 'node:perf_hooks';
import { LoadClient, type ClientHost } from './client.ts';
import { buildCommands, MessageCache } from './message.ts';
import { draw, mulberry32, type Rng } from './random.ts';
import { Recorder, type RecorderSnapshot } from './recorder.ts';
import type { Distribution } from './types.ts';
import type { WorkloadSpec } from './workload.ts';

export interface EngineConfig {
  host: string;
  port: number;
  /** Recipient domain for generated messages. */
  domain: string;
  /** Connections this engine runs. */
  connections: number;
  model: 'closed' | 'open';
  /** Total rate over all workers (open loop). */
  rate?: number;
  workerIndex: number;
  workers: number;
  /** Epoch ms (performance.timeOrigin + now) at which the run, warm-up first, starts. */
  runStartEpoch: number;
  warmupMs: number;
  durationMs?: number;
  /** Measured messages over all workers. */
  messages?: number;
  perConnection?: Distribution;
  size: Distribution;
  rcpts: number;
  pipelining: boolean;
  starttls: boolean;
  /** AUTH PLAIN with this account on every session (RFC 4954). */
  auth?: { user: string; password: string };
  timeoutMs: number;
  lateThresholdMs: number;
  seed: number;
  /** Closed loop with a message budget: Int32Array[1] of messages left, shared by all workers. */
  budget?: SharedArrayBuffer;
  /** Float64Array[PROGRESS_FIELDS] per worker: messages, accepted, not accepted, transaction p99 so far (ms). */
  progress?: SharedArrayBuffer;
  workload?: WorkloadSpec;
  /** Stop everything at this epoch ms whatever is in flight (a bound on the run). */
  hardStopEpoch?: number;
}

export const PROGRESS_FIELDS = 4;

interface Slot {
  readonly open: boolean;
  deadline: number;
  assign(intended: number, now?: number): void;
  finish(): void;
  abort(kind: string): void;
  timeout(now: number): void;
}

export class LoadEngine {
  readonly rec: Recorder;
  private readonly slots: Slot[] = [];
  private readonly idle = new Set<Slot>();
  private readonly free = new Set<Slot>();
  private readonly backlog: number[] = [];
  private backlogHead = 0;
  private readonly t0: number;
  private readonly measureStart: number;
  private readonly endAt: number;
  private readonly rng: Rng;
  private readonly cache: MessageCache;
  private readonly budget?: Int32Array;
  private readonly progress?: Float64Array;
  private nextIndex: number;
  private lastIndex = Infinity;
  private scheduleDone = false;
  private stopping = false;
  private timer?: NodeJS.Timeout;
  private sweeper?: NodeJS.Timeout;
  private resolveDone?: () => void;

  constructor(readonly cfg: EngineConfig) {
    this.t0 = cfg.runStartEpoch - performance.timeOrigin;
    this.measureStart = this.t0 + cfg.warmupMs;
    this.endAt = cfg.durationMs !== undefined ? this.measureStart + cfg.durationMs : Infinity;
    this.rec = new Recorder(this.measureStart, cfg.model === 'open', cfg.lateThresholdMs);
    this.rng = mulberry32(cfg.seed + cfg.workerIndex * 7919);
    this.cache = new MessageCache(cfg.domain);
    if (cfg.budget) this.budget = new Int32Array(cfg.budget);
    if (cfg.progress) this.progress = new Float64Array(cfg.progress, cfg.workerIndex * PROGRESS_FIELDS * 8, PROGRESS_FIELDS);
    this.nextIndex = cfg.workerIndex;
    this.closed = cfg.model === 'closed';
    if (cfg.model === 'open') {
      const rate = cfg.rate!;
      const warmupCount = Math.ceil((cfg.warmupMs * rate) / 1000);
      this.lastIndex = cfg.messages !== undefined ? warmupCount + cfg.messages : Math.ceil(((cfg.warmupMs + (cfg.durationMs ?? 0)) * rate) / 1000);
    }
    // A fixed size (the default) needs no draw and no cache lookup per message.
    const fixed = cfg.size.kind === 'fixed' ? this.cache.get(draw(cfg.size, this.rng)) : undefined;
    const host: ClientHost = {
      host: cfg.host,
      port: cfg.port,
      commands: buildCommands(cfg.domain, cfg.rcpts, cfg.auth),
      rcpts: cfg.rcpts,
      pipelining: cfg.pipelining,
      starttls: cfg.starttls,
      timeoutMs: cfg.timeoutMs,
      rec: this.rec,
      perConnection: () => (cfg.perConnection ? draw(cfg.perConnection, this.rng, 1) : Infinity),
      content: fixed ? () => fixed : () => this.cache.get(draw(cfg.size, this.rng)),
      available: (c, now) => this.available(c, now),
    };
    this.host = host;
  }

  private readonly host: ClientHost;
  private readonly closed: boolean;

  private async makeSlots(): Promise<void> {
    const w = this.cfg.workload;
    // The workload client pulls in the scenario loader and the conformance wire client: only when asked for.
    const Workload = w ? (await import('./workload.ts')).WorkloadClient : undefined;
    for (let i = 0; i < this.cfg.connections; i++) {
      this.slots.push(Workload ? new Workload(w!, this.host, (c) => this.available(c)) : new LoadClient(this.host));
    }
  }

  /** Runs to the end; resolves with what was recorded. */
  async run(): Promise<RecorderSnapshot> {
    await this.makeSlots();
    const done = new Promise<void>((r) => (this.resolveDone = r));
    await sleepUntil(this.t0);
    this.sweeper = setInterval(() => this.sweep(), 100);
    if (this.cfg.model === 'closed') {
      for (const s of this.slots) this.available(s);
    } else {
      for (const s of this.slots) this.free.add(s);
      this.tick();
    }
    this.checkDone();
    await done;
    return this.rec.snapshot(performance.timeOrigin);
  }

  private intendedOf(i: number): number {
    return this.t0 + (i * 1000) / this.cfg.rate!;
  }

  /** Open loop: start every message now due, then sleep until the next one is. */
  private tick(): void {
    this.timer = undefined;
    const now = performance.now();
    const stride = this.cfg.workers;
    while (this.nextIndex < this.lastIndex && !this.stopping) {
      const intended = this.intendedOf(this.nextIndex);
      if (intended > now) {
        this.timer = setTimeout(() => this.tick(), Math.max(0, intended - performance.now()));
        return;
      }
      this.nextIndex += stride;
      this.dispatch(intended, now);
    }
    this.scheduleDone = true;
    for (const s of [...this.idle]) s.finish();
    this.idle.clear();
    this.checkDone();
  }

  private dispatch(intended: number, now: number): void {
    this.rec.due(intended);
    const s = first(this.idle) ?? first(this.free);
    if (s) return s.assign(intended);
    this.backlog.push(intended);
    this.rec.backlog(this.backlog.length - this.backlogHead, now);
  }

  /** A slot is free (idle session or no session): give it work, park it, or let it finish. */
  private available(s: Slot, now = performance.now()): void {
    // Only the open loop parks slots in idle and free (two hash lookups per message saved in a closed loop).
    if (!this.closed) {
      this.idle.delete(s);
      this.free.delete(s);
    }
    if (this.stopping) return this.checkDone();
    if (this.closed) {
      if (this.claim(now)) {
        this.rec.due(now);
        return s.assign(now, now);
      }
      s.finish();
      return this.checkDone();
    }
    if (this.backlogHead < this.backlog.length) {
      const intended = this.backlog[this.backlogHead++]!;
      if (this.backlogHead > 1024 && this.backlogHead * 2 > this.backlog.length) {
        this.backlog.splice(0, this.backlogHead);
        this.backlogHead = 0;
      }
      return s.assign(intended);
    }
    if (this.scheduleDone) {
      s.finish();
      return this.checkDone();
    }
    (s.open ? this.idle : this.free).add(s);
  }

  private claim(now: number): boolean {
    if (now >= this.endAt) return false;
    if (!this.budget || (this.cfg.warmupMs > 0 && now < this.measureStart)) return true;
    return Atomics.sub(this.budget, 0, 1) > 0;
  }

  private checkDone(): void {
    if (!this.resolveDone) return;
    if (this.cfg.model === 'open' && !this.scheduleDone && !this.stopping) return;
    if (this.backlogHead < this.backlog.length && !this.stopping) return;
    for (const s of this.slots) if (s.open) return;
    clearInterval(this.sweeper);
    if (this.timer) clearTimeout(this.timer);
    this.publish();
    const r = this.resolveDone;
    this.resolveDone = undefined;
    r();
  }

  private sweep(): void {
    const now = performance.now();
    for (const s of this.slots) if (s.deadline < now) s.timeout(now);
    if (this.cfg.hardStopEpoch !== undefined && now + performance.timeOrigin >= this.cfg.hardStopEpoch && !this.stopping) {
      this.stopping = true;
      for (const s of this.slots) s.abort('stopped');
    }
    this.publish();
    this.checkDone();
  }

  private publish(): void {
    const p = this.progress;
    if (!p) return;
    const r = this.rec;
    p[0] = r.accepted + r.rejected + r.failed;
    p[1] = r.accepted;
    p[2] = r.rejected + r.failed;
    // Transaction p99 so far; walking the histogram costs ~0.1 ms, so at most twice a second.
    const now = performance.now();
    if (now - this.p99At >= 500 && r.h.latency.count > 0) {
      this.p99At = now;
      p[3] = r.h.latency.percentileMs(99);
    }
  }

  private p99At = 0;
}

function first<T>(set: Set<T>): T | undefined {
  for (const v of set) {
    set.delete(v);
    return v;
  }
  return undefined;
}

/** Resolves once performance.now() >= t (timers may fire a little early against that clock). */
async function sleepUntil(t: number): Promise<void> {
  for (let d = t - performance.now(); d > 0; d = t - performance.now()) {
    await new Promise((r) => (d >= 1 ? setTimeout(r, d) : setImmediate(r)));
  }
}
