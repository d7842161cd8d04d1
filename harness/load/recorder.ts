/**
 * What one engine (one thread) records: phase and transaction histograms,
 * reply counts, errors by kind and phase, the open-loop schedule's lateness,
 * and a per-interval timeline. `snapshot()` turns it into plain data that
 * crosses a worker boundary and merges exactly (see merge.ts); histograms
 * travel as their non-zero buckets, and are encoded only once, after the
 * merge.
 */
import { FastHistogram, type SparseCounts } from './fast-histogram.ts';
import { PHASES, type Phase } from './phases.ts';

export const TIMELINE_INTERVAL_MS = 1000;

export const ACCEPTED = 0;
export const REJECTED = 1;
export const FAILED = 2;

/** One interval as an engine saw it, with the transaction latencies of its messages. */
export interface IntervalSnapshot {
  index: number;
  started: number;
  accepted: number;
  rejected: number;
  failed: number;
  replies: [number, number, number, number];
  backlog: number;
  latency?: SparseCounts;
}

export interface RecorderSnapshot {
  histograms: { latency: SparseCounts; serviceTime?: SparseCounts; phases: Partial<Record<Phase, SparseCounts>> };
  counts: { total: number; accepted: number; rejected: number; failed: number; sessions: number; pipelined: number };
  classes: [number, number, number, number];
  codes: Record<string, number>;
  rejections: Record<string, number>;
  errors: Record<string, number>;
  schedule: { intended: number; started: number; late: number; maxBacklog: number; maxLagMs: number };
  timeline: IntervalSnapshot[];
  /** performance.timeOrigin-based epoch ms of the last completion (for measured duration). */
  lastEndEpoch: number;
}

/** The interval being filled; its latency histogram is kept apart until it closes. */
type Interval = Omit<IntervalSnapshot, 'latency'>;

/** One histogram per phase, plus the whole transaction (corrected) and service time. */
export class HistogramSet {
  readonly phases: FastHistogram[] = PHASES.map(() => new FastHistogram());
  readonly latency = new FastHistogram();
  readonly service = new FastHistogram();

  sparse(open: boolean): RecorderSnapshot['histograms'] {
    const phases: Partial<Record<Phase, SparseCounts>> = {};
    PHASES.forEach((p, i) => {
      if (this.phases[i]!.count > 0) phases[p] = this.phases[i]!.sparse();
    });
    return { latency: this.latency.sparse(), serviceTime: open ? this.service.sparse() : undefined, phases };
  }
}

export class Recorder {
  readonly h = new HistogramSet();
  accepted = 0;
  rejected = 0;
  failed = 0;
  sessions = 0;
  pipelined = 0;
  /** Measured messages that are due (open loop) or claimed (closed loop). */
  intended = 0;
  started = 0;
  late = 0;
  maxBacklog = 0;
  maxLagMs = 0;
  lastEnd = 0;
  /** Reply counts by exact code (every reply), indexed by code. */
  private readonly byCode = new Uint32Array(600);
  private readonly detail = new Map<string, number>();
  private readonly rejectionsBy = new Map<string, number>();
  private readonly errorsBy = new Map<string, number>();
  private readonly done: IntervalSnapshot[] = [];
  private cur?: Interval;
  /** performance.now() span of `cur`: [curFrom, curTo). */
  private curFrom = 0;
  private curTo = 0;
  /** Latency of the current interval only; reused from one interval to the next. */
  private readonly intervalLatency = new FastHistogram();

  constructor(
    /** performance.now() time from which messages count (after warm-up). */
    readonly measureStart: number,
    readonly open: boolean,
    readonly lateThresholdMs: number,
  ) {}

  phase(p: number, ms: number, at: number): void {
    if (at >= this.measureStart) this.h.phases[p]!.recordMs(ms);
  }

  /**
   * Every reply: class and code; non-positive ones with their enhanced status, by phase. With `ms`
   * (>= 0), the reply also ends a timed phase: its latency, as phase() records it, in the same call.
   */
  reply(p: number, code: number, enhanced: string, at: number, ms = -1): void {
    if (at < this.measureStart) return;
    if (ms >= 0) this.h.phases[p]!.recordMs(ms);
    const cls = ((code / 100) | 0) - 2;
    this.interval(at).replies[cls]!++;
    if (code < 400) {
      this.byCode[code]!++;
      return;
    }
    const key = enhanced ? `${code} ${enhanced}` : String(code);
    this.detail.set(key, (this.detail.get(key) ?? 0) + 1);
    const rk = `${PHASES[p] ?? 'other'} ${key}`;
    this.rejectionsBy.set(rk, (this.rejectionsBy.get(rk) ?? 0) + 1);
  }

  /** A message is due (open loop: its intended time came; closed loop: it was claimed). */
  due(intended: number): void {
    if (intended >= this.measureStart) this.intended++;
  }

  /** A message begins; `intended` = its scheduled start (closed loop: the same as `at`). */
  start(intended: number, at: number): void {
    if (intended < this.measureStart) return;
    this.started++;
    this.interval(at).started++;
    const lag = at - intended;
    if (lag > this.lateThresholdMs) this.late++;
    if (lag > this.maxLagMs) this.maxLagMs = lag;
  }

  /** Open loop: the queue of due-but-unstarted messages is this deep now. */
  backlog(depth: number, at: number): void {
    if (depth > this.maxBacklog && at >= this.measureStart) this.maxBacklog = depth;
    if (at >= this.measureStart) {
      const iv = this.interval(at);
      if (depth > iv.backlog) iv.backlog = depth;
    }
  }

  message(outcome: number, intended: number, started: number, at: number): void {
    if (intended < this.measureStart) return;
    this.lastEnd = at;
    const iv = this.interval(at);
    if (outcome === ACCEPTED) {
      this.accepted++;
      iv.accepted++;
      this.h.latency.recordMs(at - intended);
      if (this.open) this.h.service.recordMs(at - started);
      this.intervalLatency.recordMs(at - intended);
    } else if (outcome === REJECTED) {
      this.rejected++;
      iv.rejected++;
    } else {
      this.failed++;
      iv.failed++;
    }
  }

  session(pipelined: boolean, at: number): void {
    if (at < this.measureStart) return;
    this.sessions++;
    if (pipelined) this.pipelined++;
  }

  /** A failure by kind ('refused', 'reset', 'timeout', 'tls', …) and phase name. */
  error(kind: string, phase: string | undefined, at: number): void {
    if (at < this.measureStart) return;
    const k = phase ? `${kind}@${phase}` : kind;
    this.errorsBy.set(k, (this.errorsBy.get(k) ?? 0) + 1);
  }

  get errorCount(): number {
    let n = 0;
    for (const v of this.errorsBy.values()) n += v;
    return n;
  }

  private interval(at: number): Interval {
    const cur = this.cur;
    // Several calls per message land here: the current interval is found without a division.
    if (cur && at >= this.curFrom && at < this.curTo) return cur;
    const index = Math.floor((at - this.measureStart) / TIMELINE_INTERVAL_MS);
    if (cur && cur.index === index) return cur;
    // Time only moves forward: the interval before is closed for good.
    if (cur) this.close(cur);
    const next: Interval = { index, started: 0, accepted: 0, rejected: 0, failed: 0, replies: [0, 0, 0, 0], backlog: 0 };
    this.cur = next;
    this.curFrom = this.measureStart + index * TIMELINE_INTERVAL_MS;
    this.curTo = this.curFrom + TIMELINE_INTERVAL_MS;
    return next;
  }

  private close(iv: Interval): void {
    const h = this.intervalLatency;
    this.done.push({ ...iv, latency: h.count > 0 ? h.sparse() : undefined });
    h.reset();
  }

  snapshot(timeOrigin: number): RecorderSnapshot {
    if (this.cur) {
      this.close(this.cur);
      this.cur = undefined;
    }
    const codes: Record<string, number> = {};
    this.byCode.forEach((n, code) => {
      if (n) codes[String(code)] = n;
    });
    for (const [k, n] of this.detail) codes[k] = n;
    const classes: [number, number, number, number] = [0, 0, 0, 0];
    for (const s of this.done) s.replies.forEach((n, i) => (classes[i] += n));
    return {
      histograms: this.h.sparse(this.open),
      counts: { total: this.accepted + this.rejected + this.failed, accepted: this.accepted, rejected: this.rejected, failed: this.failed, sessions: this.sessions, pipelined: this.pipelined },
      classes,
      codes,
      rejections: Object.fromEntries(this.rejectionsBy),
      errors: Object.fromEntries(this.errorsBy),
      schedule: { intended: this.intended, started: this.started, late: this.late, maxBacklog: this.maxBacklog, maxLagMs: this.maxLagMs },
      timeline: this.done,
      lastEndEpoch: this.lastEnd ? timeOrigin + this.lastEnd : 0,
    };
  }
}
