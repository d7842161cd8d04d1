/**
 * A scenario file as the per-session workload (`--workload FILE[#ID]`), as
 * SIPp replays one scenario as both test and load: each "message" of the
 * run is one session that plays the scenario's prelude and steps. The run
 * counts a session that meets every expectation as accepted, one that
 * misses an expectation on a reply as rejected, and one lost to the network
 * (closed, timed out, refused) as failed. Each reply is timed from the
 * command it answers and recorded under that command's phase.
 *
 * This path uses the conformance wire client (harness/wire), so it is
 * slower per message than the built-in transaction; it is for realism, not
 * for the harness's ceiling.
 */
import { performance } from 'node:perf_hooks';
import { SmtpConnection } from '../wire/connection.ts';
import { isSmtpTestError, SmtpTestError } from '../errors.ts';
import { loadSuiteFile } from '../scenario/load.ts';
import type { LoadedScenario, Step } from '../scenario/schema.ts';
import { durationMs, judge, normaliseExpect } from '../runner/expect.ts';
import { messageContent, sendContent } from '../runner/content.ts';
import { bdatChunk } from '../wire/serialize.ts';
import { fillPlaceholders, placeholderValues, usesCredentials } from '../scenario/placeholders.ts';
import type { ClientHost } from './client.ts';
import { LOAD_CLIENT } from './message.ts';
import { ACCEPTED, FAILED, REJECTED } from './recorder.ts';
import { PHASES, type Phase } from './phases.ts';

export interface WorkloadSpec {
  scenario: LoadedScenario;
  domain: string;
  rcpt: string;
  /** The target's AUTH account, for {{authPlain}} and the like. */
  auth?: { user: string; password: string };
}

/** Loads FILE or FILE#SCENARIO-ID (default: the file's first scenario) and checks it can run under load. */
export async function loadWorkload(spec: string, domain: string, rcpt: string, auth?: { user: string; password: string }): Promise<WorkloadSpec> {
  const hash = spec.lastIndexOf('#');
  const file = hash > 0 ? spec.slice(0, hash) : spec;
  const id = hash > 0 ? spec.slice(hash + 1) : undefined;
  const suite = await loadSuiteFile(file);
  const scenario = id ? suite.scenarios.find((s) => s.id === id) : suite.scenarios[0];
  if (!scenario) throw new SmtpTestError('E_CONFIG', `--workload: no scenario ${id} in ${file}`);
  if (scenario.steps.some((s) => 'delivered' in s)) {
    throw new SmtpTestError('E_CONFIG', `--workload: scenario ${scenario.id} reads back delivered mail, which a load run cannot do`);
  }
  if (!auth && (scenario.needs.includes('credentials') || usesCredentials(scenario.steps))) {
    throw new SmtpTestError('E_CONFIG', `--workload: scenario ${scenario.id} needs an AUTH account, and the target has none (give one as smtp://USER:PASSWORD@host:port)`);
  }
  return { scenario, domain, rcpt, ...(auth ? { auth } : {}) };
}

const VERB_PHASE: Record<string, Phase> = { EHLO: 'ehlo', HELO: 'ehlo', LHLO: 'ehlo', MAIL: 'mail', RCPT: 'rcpt', DATA: 'data', QUIT: 'quit', STARTTLS: 'starttls', AUTH: 'auth' };
const phaseIndex = (p: Phase | undefined) => (p ? PHASES.indexOf(p) : -1);
const verbPhase = (line: string) => phaseIndex(VERB_PHASE[line.trimStart().split(/[ :]/, 1)[0]!.toUpperCase()]);

/** One connection slot that plays the scenario once per assigned message. */
export class WorkloadClient {
  deadline = Infinity;
  private busy = false;
  private conn?: SmtpConnection;
  private aborted?: string;

  constructor(
    private readonly w: WorkloadSpec,
    private readonly h: ClientHost,
    private readonly onFree: (c: WorkloadClient) => void,
  ) {}

  get open(): boolean {
    return this.busy;
  }

  assign(intended: number): void {
    const started = performance.now();
    this.busy = true;
    this.aborted = undefined;
    this.h.rec.start(intended, started);
    void this.play().then((outcome) => {
      this.h.rec.message(outcome, intended, started, performance.now());
      this.conn?.destroy();
      this.conn = undefined;
      this.busy = false;
      this.onFree(this);
    });
  }

  finish(): void {}

  abort(kind: string): void {
    this.aborted = kind;
    this.conn?.destroy();
  }

  timeout(): void {}

  private async play(): Promise<number> {
    const rec = this.h.rec;
    const s = this.w.scenario;
    const t0 = performance.now();
    try {
      this.conn = await SmtpConnection.connect({ host: this.h.host, port: this.h.port, connectTimeoutMs: this.h.timeoutMs });
    } catch (e) {
      rec.error(isSmtpTestError(e, 'E_TLS') ? 'tls' : 'refused', undefined, performance.now());
      return FAILED;
    }
    const conn = this.conn;
    const now = performance.now();
    rec.phase(PHASES.indexOf('connect'), now - t0, now);
    // Each play of the scenario is a session of its own.
    rec.session(false, now);
    // Phases of the replies still to come, in order, each with the time its command went out.
    const awaiting: { p: number; at: number }[] = [];
    const sent = (p: number) => awaiting.push({ p, at: performance.now() });
    const vars = placeholderValues({ token: `st-load-${Math.floor(Math.random() * 1e9).toString(16)}`, domain: this.w.domain, rcpt: this.w.rcpt, sender: `sender@${LOAD_CLIENT}`, client: LOAD_CLIENT, auth: this.w.auth });
    const fill = (t: string) => fillPlaceholders(t, vars);
    const expect = async (e: Parameters<typeof normaliseExpect>[0]): Promise<number | undefined> => {
      const ex = normaliseExpect(e, 'strict');
      const wait = ex.kind === 'silence' ? durationMs(ex.within, 1) : ex.kind === 'reply' && ex.timeout !== undefined ? durationMs(ex.timeout, 1) : this.h.timeoutMs;
      const outcome = await conn.read(wait);
      const at = performance.now();
      const cmd = outcome.kind === 'reply' ? awaiting.shift() : awaiting[0];
      const p = cmd?.p ?? -1;
      if (outcome.kind === 'reply') {
        if (p >= 0) rec.phase(p, at - cmd!.at, at);
        rec.reply(p, outcome.reply.code, outcome.reply.enhanced ? `${outcome.reply.enhanced.class}.${outcome.reply.enhanced.subject}.${outcome.reply.enhanced.detail}` : '', at);
      }
      if (!judge(ex, outcome)) return undefined;
      const phase = PHASES[p] ?? 'other';
      if (outcome.kind === 'reply' || outcome.kind === 'protocol-error') return REJECTED;
      rec.error(this.aborted ?? (outcome.kind === 'timeout' ? 'timeout' : 'closed'), phase, at);
      return FAILED;
    };
    try {
      if (s.prelude !== 'none') {
        sent(PHASES.indexOf('greeting'));
        const g = await expect(220);
        if (g !== undefined) return g;
        if (s.prelude !== 'greeting') {
          sent(PHASES.indexOf('ehlo'));
          await conn.send(`${s.prelude === 'helo' ? 'HELO' : 'EHLO'} ${LOAD_CLIENT}`);
          const r = await expect(250);
          if (r !== undefined) return r;
        }
      }
      for (const step of s.steps) {
        const r = await this.step(step, conn, sent, fill, expect);
        if (r !== undefined) return r;
      }
      return ACCEPTED;
    } catch (e) {
      rec.error(isSmtpTestError(e, 'E_TLS') ? 'tls' : isSmtpTestError(e, 'E_NOT_CONNECTED') ? 'closed' : 'error', PHASES[awaiting[0]?.p ?? -1] ?? 'other', performance.now());
      return FAILED;
    }
  }

  private async step(
    step: Step,
    conn: SmtpConnection,
    sent: (p: number) => void,
    fill: (t: string) => string,
    expect: (e: Parameters<typeof normaliseExpect>[0]) => Promise<number | undefined>,
  ): Promise<number | undefined> {
    if ('send' in step) {
      sent(verbPhase(step.send));
      await conn.send(fill(step.send));
    } else if ('raw' in step) {
      sent(verbPhase(step.raw));
      await conn.sendRaw(fill(step.raw));
    } else if ('pipeline' in step) {
      for (const l of step.pipeline) sent(verbPhase(l));
      await conn.sendPipeline(step.pipeline.map(fill));
    } else if ('data' in step) {
      sent(PHASES.indexOf('eod'));
      await sendContent(conn, messageContent(step.data, fill));
    } else if ('bdat' in step) {
      // The last chunk's reply ends the message, as end of data does; earlier chunks' replies are timed as DATA's.
      sent(PHASES.indexOf(step.bdat.last ? 'eod' : 'data'));
      await conn.write(bdatChunk(fill(step.bdat.chunk), step.bdat.last));
    } else if ('expect' in step) return expect(step.expect);
    else if ('wait' in step) await new Promise((r) => setTimeout(r, durationMs(step.wait, 1)));
    else if ('disconnect' in step) await conn.end(200);
    else if ('starttls' in step) {
      const command = step.starttls === true || step.starttls.command;
      if (command) {
        sent(-1);
        await conn.send('STARTTLS');
        const r = await expect(220);
        if (r !== undefined) return r;
      }
      const t = performance.now();
      await conn.upgradeTls(this.h.timeoutMs);
      const now = performance.now();
      this.h.rec.phase(PHASES.indexOf('starttls'), now - t, now);
    }
    return undefined;
  }
}
