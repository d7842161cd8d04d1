/**
 * Sink options, from a target name (`sink:eod-delay=20ms,rcpt-5xx=1%`) or
 * from `smtptest sink` flags. Each key is a typed table entry, not a
 * string lookup into the server.
 *
 *   delay=D            every reply (greeting included) waits D
 *   CMD-delay=D        one command's reply: greeting, ehlo, mail, rcpt, data, eod, quit
 *   CMD-4xx=P, CMD-5xx=P   that share of CMD replies is a temporary/permanent failure (mail, rcpt, data, eod)
 *   disconnect=P       share of commands answered by closing the connection (FIN), no reply
 *   reset=P            share of commands answered by a TCP reset
 *   freeze=D@T         T after start, no reply is sent for D (a stalled server)
 *   no-pipelining      do not advertise PIPELINING (RFC 2920)
 *   no-starttls        do not offer STARTTLS (RFC 3207)
 *   seed=N             fault dice seed
 *
 * Durations: 20ms, 1.5s, or a bare number of ms. Shares: 1%, 0.01.
 */
import { SmtpTestError } from '../../harness/errors.ts';

export const SINK_COMMANDS = ['greeting', 'ehlo', 'mail', 'rcpt', 'data', 'eod', 'quit', 'rset', 'noop', 'starttls', 'other'] as const;
export type SinkCommand = (typeof SINK_COMMANDS)[number];
export const FAULTABLE = ['mail', 'rcpt', 'data', 'eod'] as const;
export type Faultable = (typeof FAULTABLE)[number];

export interface SinkOptions {
  host: string;
  /** 0 = any free port. */
  port: number;
  hostname: string;
  pipelining: boolean;
  starttls: boolean;
  /** Reply delay, ms, per command; `all` applies where a command has none of its own. */
  delayMs: Partial<Record<SinkCommand | 'all', number>>;
  tempfail: Partial<Record<Faultable, number>>;
  permfail: Partial<Record<Faultable, number>>;
  disconnect: number;
  reset: number;
  freeze?: { atMs: number; forMs: number };
  seed: number;
}

export function defaultSinkOptions(): SinkOptions {
  return { host: '127.0.0.1', port: 0, hostname: 'sink.smtptest.example', pipelining: true, starttls: true, delayMs: {}, tempfail: {}, permfail: {}, disconnect: 0, reset: 0, seed: 1 };
}

export function parseDuration(text: string, what: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(text.trim());
  if (!m) throw new SmtpTestError('E_CONFIG', `${what}: '${text}' is not a duration like 20ms or 1.5s`);
  return Number(m[1]) * (m[2] === 's' ? 1000 : 1);
}

export function parseShare(text: string, what: string): number {
  const m = /^(\d+(?:\.\d+)?)(%)?$/.exec(text.trim());
  const v = m ? Number(m[1]) / (m[2] ? 100 : 1) : NaN;
  if (!(v >= 0 && v <= 1)) throw new SmtpTestError('E_CONFIG', `${what}: '${text}' is not a share like 1% or 0.01`);
  return v;
}

const isCommand = (s: string): s is SinkCommand => (SINK_COMMANDS as readonly string[]).includes(s);
const isFaultable = (s: string): s is Faultable => (FAULTABLE as readonly string[]).includes(s);

/** Applies `key=value,key,…` (the part after `sink:`) on top of `base`. */
export function parseSinkSpec(spec: string, base: SinkOptions = defaultSinkOptions()): SinkOptions {
  const o: SinkOptions = { ...base, delayMs: { ...base.delayMs }, tempfail: { ...base.tempfail }, permfail: { ...base.permfail } };
  for (const item of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = item.indexOf('=');
    const key = eq < 0 ? item : item.slice(0, eq);
    const value = eq < 0 ? '' : item.slice(eq + 1);
    const m = /^([a-z]+)-(delay|4xx|5xx)$/.exec(key);
    if (key === 'delay') o.delayMs.all = parseDuration(value, key);
    else if (m && m[2] === 'delay' && isCommand(m[1]!)) o.delayMs[m[1]] = parseDuration(value, key);
    else if (m && m[2] === '4xx' && isFaultable(m[1]!)) o.tempfail[m[1]] = parseShare(value, key);
    else if (m && m[2] === '5xx' && isFaultable(m[1]!)) o.permfail[m[1]] = parseShare(value, key);
    else if (key === 'disconnect') o.disconnect = parseShare(value, key);
    else if (key === 'reset') o.reset = parseShare(value, key);
    else if (key === 'freeze') {
      const [d, at] = value.split('@');
      o.freeze = { forMs: parseDuration(d ?? '', key), atMs: parseDuration(at ?? '0', key) };
    } else if (key === 'no-pipelining') o.pipelining = false;
    else if (key === 'no-starttls') o.starttls = false;
    else if (key === 'seed') o.seed = Number(value) >>> 0;
    else if (key === 'port') o.port = Number(value);
    else if (key === 'host') o.host = value;
    else throw new SmtpTestError('E_CONFIG', `sink: unknown option '${key}' (see smtptest sink --help)`);
  }
  return o;
}
