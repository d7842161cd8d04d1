/**
 * Runs one scenario on its own connection and judges it. A server that does
 * not conform gives `failed`; the harness or the network breaking gives
 * `errored`; a precondition the target lacks gives `skipped`.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { SmtpConnection, type ReadOutcome, type TranscriptEntry } from '../wire/connection.ts';
import { messageContent, sendContent } from './content.ts';
import { bdatChunk } from '../wire/serialize.ts';
import { isSmtpTestError } from '../errors.ts';
import type { LoadedScenario, Step } from '../scenario/schema.ts';
import { fillPlaceholders as fill, placeholderValues, redactCredentials, usesCredentials, type Placeholders } from '../scenario/placeholders.ts';
import type { StartedTarget } from '../../targets/types.ts';
import { describeExpectation, describeOutcome, durationMs, judge, normaliseExpect, type Expectation } from './expect.ts';
import type { Capabilities, RunOptions, ScenarioResult, StepFailure } from './types.ts';

export const CLIENT_NAME = 'client.smtptest.example';

export interface ScenarioContext {
  target: StartedTarget;
  capabilities: Capabilities;
  options: RunOptions;
}

/** Why a scenario cannot run here, or undefined. */
export function skipReason(s: LoadedScenario, ctx: ScenarioContext): string | undefined {
  if (s.profiles && !s.profiles.includes(ctx.options.profile)) return `runs only under --profile ${s.profiles.join('|')}`;
  const missing = s.requires.find((r) => !advertises(s, ctx.capabilities, r));
  if (missing !== undefined) {
    if (ctx.capabilities.error) return `EHLO discovery failed (${ctx.capabilities.error}); needs ${missing}`;
    return `server does not advertise ${missing}` + (startsWithTls(s) && !/^STARTTLS$/i.test(missing) ? ' after STARTTLS' : '');
  }
  const needsMailbox = s.needs.includes('mailbox') || s.steps.some((st) => 'delivered' in st);
  if (needsMailbox && !ctx.target.mailbox) return `target ${ctx.target.name} cannot read back delivered mail`;
  const needsCredentials = s.needs.includes('credentials') || usesCredentials(s.steps);
  if (needsCredentials && !ctx.target.facts.auth) return `target ${ctx.target.name} has no AUTH account (give one as smtp://USER:PASSWORD@host:port)`;
  const overLimit = s.steps.some((st) => 'data' in st && typeof st.data === 'object' && st.data.overLimit !== undefined);
  if (overLimit && sizeLimit(ctx) === undefined) return `target ${ctx.target.name} has no known message size limit (EHLO SIZE or facts)`;
  return undefined;
}

const startsWithTls = (s: LoadedScenario): boolean => s.steps[0] !== undefined && 'starttls' in s.steps[0];

/**
 * Whether `required` ("KEYWORD" or "KEYWORD PARAM", e.g. "AUTH PLAIN") is
 * advertised where the scenario needs it. A scenario that starts with
 * STARTTLS needs its other keywords in the EHLO reply inside TLS (where
 * discovery got one; else the reply before it).
 */
function advertises(s: LoadedScenario, caps: Capabilities, required: string): boolean {
  const [kw = '', ...params] = required.toUpperCase().split(/\s+/);
  const keywords = startsWithTls(s) && kw !== 'STARTTLS' ? (caps.tlsKeywords ?? caps.keywords) : caps.keywords;
  const offered = keywords[kw]?.map((p) => p.toUpperCase());
  return offered !== undefined && params.every((p) => offered.includes(p));
}

class StepFailed extends Error {
  constructor(readonly failure: Omit<StepFailure, 'step' | 'line' | 'stepText'>) {
    super(failure.message);
  }
}

export async function runScenario(s: LoadedScenario, ctx: ScenarioContext): Promise<ScenarioResult> {
  const base = {
    id: s.id,
    title: s.title,
    suite: s.suite,
    file: s.file,
    rfc: s.rfc,
    section: s.section,
    level: s.level,
  };
  const t0 = performance.now();
  const elapsed = () => Math.round(performance.now() - t0);
  const skip = skipReason(s, ctx);
  if (skip) return { ...base, status: 'skipped', skipReason: skip, durationMs: 0, transcript: [] };

  const vars = placeholders(s, ctx.target);
  const transcript: TranscriptEntry[] = [];
  let conn: SmtpConnection | undefined;
  let stepIndex = -1;
  try {
    conn = await connect(ctx);
    await prelude(conn, s, ctx, vars);
    for (stepIndex = 0; stepIndex < s.steps.length; stepIndex++) {
      conn = await runStep(s.steps[stepIndex]!, conn, ctx, vars);
    }
    return { ...base, status: 'passed', durationMs: elapsed(), transcript: collect(conn, transcript, vars, ctx) };
  } catch (e) {
    const tr = collect(conn, transcript, vars, ctx);
    if (e instanceof StepFailed) {
      const step = s.steps[stepIndex];
      const failure: StepFailure = {
        step: stepIndex,
        line: stepIndex >= 0 ? (s.stepLines[stepIndex] ?? 0) : 0,
        stepText: step ? stepText(step) : `prelude: ${s.prelude}`,
        ...e.failure,
      };
      return { ...base, status: 'failed', failure, durationMs: elapsed(), transcript: tr };
    }
    const code = isSmtpTestError(e) ? e.code : 'E_INTERNAL';
    const message = e instanceof Error ? e.message : String(e);
    return { ...base, status: 'errored', error: { code, message, step: stepIndex }, durationMs: elapsed(), transcript: tr };
  } finally {
    conn?.destroy();
  }
}

function connect(ctx: ScenarioContext): Promise<SmtpConnection> {
  return SmtpConnection.connect({
    host: ctx.target.host,
    port: ctx.target.port,
    tls: ctx.target.tls,
    connectTimeoutMs: ctx.options.replyTimeoutMs,
  });
}

async function prelude(conn: SmtpConnection, s: LoadedScenario, ctx: ScenarioContext, vars: Placeholders): Promise<void> {
  if (s.prelude === 'none') return;
  await expectOn(conn, { kind: 'reply', code: [220] }, ctx);
  if (s.prelude === 'greeting') return;
  await sendOrFail(conn, () => conn.send(`${s.prelude === 'helo' ? 'HELO' : 'EHLO'} ${vars.client}`));
  await expectOn(conn, { kind: 'reply', code: [250] }, ctx);
}

async function runStep(step: Step, conn: SmtpConnection, ctx: ScenarioContext, vars: Placeholders): Promise<SmtpConnection> {
  if ('send' in step) await sendOrFail(conn, () => conn.send(fill(step.send, vars)));
  else if ('raw' in step) await sendOrFail(conn, () => conn.sendRaw(fill(step.raw, vars)));
  else if ('pipeline' in step) await sendOrFail(conn, () => conn.sendPipeline(step.pipeline.map((l) => fill(l, vars))));
  else if ('data' in step) await sendOrFail(conn, () => sendContent(conn, messageContent(step.data, (t) => fill(t, vars), sizeLimit(ctx))));
  else if ('bdat' in step) await sendOrFail(conn, () => conn.write(bdatChunk(fill(step.bdat.chunk, vars), step.bdat.last)));
  else if ('wait' in step) await sleep(durationMs(step.wait, ctx.options.timeoutScale));
  else if ('expect' in step) await expectOn(conn, normaliseExpect(step.expect, ctx.options.profile), ctx);
  else if ('disconnect' in step) await conn.end(200);
  else if ('starttls' in step) {
    const command = step.starttls === true || step.starttls.command;
    if (command) {
      await sendOrFail(conn, () => conn.send('STARTTLS'));
      await expectOn(conn, { kind: 'reply', code: [220] }, ctx);
    }
    const { leftoverPlaintext } = await conn.upgradeTls(ctx.options.replyTimeoutMs);
    if (leftoverPlaintext) {
      throw new StepFailed({
        expected: 'nothing after the 220 before the TLS handshake (RFC 3207 §4.2)',
        actual: JSON.stringify(leftoverPlaintext.slice(0, 200)),
        message: 'the server sent plaintext after its 220 to STARTTLS',
      });
    }
  } else if ('delivered' in step) await checkDelivered(step.delivered, ctx, vars);
  return conn;
}

async function expectOn(conn: SmtpConnection, e: Expectation, ctx: ScenarioContext): Promise<ReadOutcome> {
  const wait =
    e.kind === 'silence' ? durationMs(e.within, ctx.options.timeoutScale) : e.timeout !== undefined ? durationMs(e.timeout, ctx.options.timeoutScale) : ctx.options.replyTimeoutMs;
  const outcome = await conn.read(wait);
  const why = judge(e, outcome);
  if (why) {
    throw new StepFailed({ expected: describeExpectation(e, ctx.options.timeoutScale), actual: describeOutcome(outcome), message: why });
  }
  return outcome;
}

/** A write the server made impossible (it closed on us) is a failure of the server, not of the harness. */
async function sendOrFail(conn: SmtpConnection, send: () => Promise<void>): Promise<void> {
  try {
    await send();
  } catch (e) {
    if (isSmtpTestError(e, 'E_NOT_CONNECTED')) {
      throw new StepFailed({ expected: 'the connection open to send', actual: 'connection closed by the server', message: 'the server closed the connection' });
    }
    throw e;
  }
}

async function checkDelivered(d: Extract<Step, { delivered: unknown }>['delivered'], ctx: ScenarioContext, vars: Placeholders): Promise<void> {
  const mailbox = ctx.target.mailbox!;
  const deadline = performance.now() + (d.timeout !== undefined ? durationMs(d.timeout, ctx.options.timeoutScale) : d.count === 0 ? 1000 : 10_000);
  let found = await mailbox.find(vars.token);
  // Poll: an MTA delivers after its 250. For count 0, wait the whole time to see nothing arrives.
  while ((d.count === 0 || found.length < d.count) && performance.now() < deadline) {
    await sleep(100);
    found = await mailbox.find(vars.token);
  }
  if (found.length !== d.count) {
    throw new StepFailed({ expected: `${d.count} delivered message(s) with this scenario's token`, actual: `${found.length}`, message: 'wrong number of delivered messages' });
  }
  for (const m of found) {
    const content = m.content.toString('latin1');
    if (d.body !== undefined) {
      const sep = content.indexOf('\r\n\r\n');
      const body = sep < 0 ? '' : content.slice(sep + 4);
      const want = fill(d.body, vars).replace(/\r?\n/g, '\r\n');
      if (body !== want) {
        throw new StepFailed({ expected: `body ${JSON.stringify(want.slice(0, 300))}`, actual: `body ${JSON.stringify(body.slice(0, 300))}`, message: 'the stored body differs from what was sent' });
      }
    }
    // `matches` sees the message as the SMTP server left it: without the fields
    // final delivery wrote above the trace (Return-Path, Delivered-To, …; §4.4).
    const received = stripDeliveryHeaders(content, mailbox.deliveryHeaders ?? []);
    for (const re of d.matches ?? []) {
      if (!new RegExp(re, 'm').test(received)) {
        throw new StepFailed({ expected: `stored message matches /${re}/m`, actual: JSON.stringify(received.slice(0, 300)), message: 'the stored message does not match' });
      }
    }
  }
}

/** Removes the leading header fields (with their folded lines) whose names are listed. */
export function stripDeliveryHeaders(content: string, names: readonly string[]): string {
  let rest = content;
  for (;;) {
    const m = /^([!-9;-~]+):[^\r\n]*\r\n(?:[ \t][^\r\n]*\r\n)*/.exec(rest);
    if (!m || !names.includes(m[1]!.toLowerCase())) return rest;
    rest = rest.slice(m[0].length);
  }
}

function placeholders(s: LoadedScenario, target: StartedTarget): Placeholders {
  const token = `st-${s.id.toLowerCase()}-${randomBytes(4).toString('hex')}`;
  const domain = target.facts.domain ?? 'smtptest.example';
  return placeholderValues({ token, domain, rcpt: target.facts.recipient ?? `user@${domain}`, sender: `sender@${CLIENT_NAME}`, client: CLIENT_NAME, auth: target.facts.auth });
}

/** The target's message size limit in octets: its EHLO SIZE parameter (RFC 1870 §4), else its facts; 0 or absent is no known limit. */
function sizeLimit(ctx: ScenarioContext): number | undefined {
  const advertised = Number(ctx.capabilities.keywords['SIZE']?.[0]);
  if (Number.isSafeInteger(advertised) && advertised > 0) return advertised;
  return ctx.target.facts.sizeLimit || undefined;
}

function stepText(step: Step): string {
  const [k, v] = Object.entries(step)[0]!;
  const text = typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v);
  return `${k}: ${text.length > 120 ? text.slice(0, 117) + '...' : text}`;
}

/** The whole transcript, with the AUTH account's values as their placeholders. */
function collect(conn: SmtpConnection | undefined, into: TranscriptEntry[], vars: Placeholders, ctx: ScenarioContext): TranscriptEntry[] {
  if (conn) into.push(...conn.transcript);
  return ctx.target.facts.auth ? into.map((e) => ({ ...e, text: redactCredentials(e.text, vars) })) : into;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
