/**
 * Judging one read outcome against one `expect` step. Pure functions: no
 * sockets here, so every rule is unit-testable.
 */
import type { ReadOutcome } from '../wire/connection.ts';
import { formatEnhanced, type Reply } from '../wire/reply.ts';
import type { Duration } from '../scenario/schema.ts';
import type { Profile } from './types.ts';

type Code = number | string;
type Codes = Code | Code[];

/** The normalised form of every `expect` shorthand. */
export type Expectation =
  | { kind: 'reply'; code?: Code[]; not?: Code[]; text?: string; notText?: string; enhanced?: string; wellFormed?: boolean; timeout?: Duration }
  | { kind: 'closed'; timeout?: Duration }
  | { kind: 'silence'; within: Duration };

interface ExpectObject {
  code?: Codes;
  not?: Codes;
  text?: string;
  notText?: string;
  enhanced?: string;
  wellFormed?: boolean;
  timeout?: Duration;
  closed?: true;
  noReplyWithin?: Duration;
  profiles?: Partial<Record<Profile, { code?: Codes; not?: Codes }>>;
}

const list = (c: Codes | undefined): Code[] | undefined => (c === undefined ? undefined : Array.isArray(c) ? c : [c]);

export function normaliseExpect(e: Code | Code[] | 'closed' | ExpectObject, profile: Profile): Expectation {
  if (e === 'closed') return { kind: 'closed' };
  if (typeof e === 'number' || typeof e === 'string' || Array.isArray(e)) return { kind: 'reply', code: list(e) };
  if (e.closed) return { kind: 'closed', timeout: e.timeout };
  if (e.noReplyWithin !== undefined) return { kind: 'silence', within: e.noReplyWithin };
  const override = e.profiles?.[profile];
  return {
    kind: 'reply',
    code: list(override?.code ?? e.code),
    not: list(override?.not ?? e.not),
    text: e.text,
    notText: e.notText,
    enhanced: e.enhanced,
    wellFormed: e.wellFormed,
    timeout: e.timeout,
  };
}

export function codeMatches(code: number, pattern: Code): boolean {
  const p = String(pattern);
  const c = String(code);
  return p.length === 3 && [...p].every((ch, i) => ch === 'x' || ch === c[i]);
}

/** Milliseconds for a duration; `{ timer }` durations are RFC timers, scaled. */
export function durationMs(d: Duration, timeoutScale: number): number {
  if (typeof d === 'object') return durationMs(d.timer, 1) * timeoutScale;
  if (typeof d === 'number') return d;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(d)!;
  const n = Number(m[1]);
  return m[2] === 'ms' ? n : m[2] === 's' ? n * 1000 : n * 60_000;
}

export function describeExpectation(e: Expectation, timeoutScale: number): string {
  switch (e.kind) {
    case 'closed':
      return 'the server closes the connection';
    case 'silence':
      return `no reply within ${Math.round(durationMs(e.within, timeoutScale))} ms`;
    case 'reply': {
      const parts: string[] = [];
      if (e.code) parts.push(e.code.length === 1 ? `${e.code[0]}` : `one of ${e.code.join(', ')}`);
      if (e.not) parts.push(`not ${e.not.join('/')}`);
      if (e.enhanced) parts.push(`enhanced code ${e.enhanced}`);
      if (e.text) parts.push(`text /${e.text}/i`);
      if (e.notText) parts.push(`no line /${e.notText}/i`);
      if (e.wellFormed) parts.push('well-formed reply (§4.2)');
      return parts.length ? `reply ${parts.join(', ')}` : 'a reply';
    }
  }
}

export function describeOutcome(o: ReadOutcome): string {
  switch (o.kind) {
    case 'reply':
      return describeReply(o.reply);
    case 'timeout':
      return `no reply within ${Math.round(o.waitedMs)} ms${o.partial ? ` (incomplete: ${JSON.stringify(o.partial.slice(0, 120))})` : ''}`;
    case 'closed':
      return `connection ${o.reason}${o.partial ? ` (incomplete: ${JSON.stringify(o.partial.slice(0, 120))})` : ''}`;
    case 'protocol-error':
      return `not an SMTP reply (${o.error.code}): ${JSON.stringify(o.error.raw.slice(0, 120))}`;
  }
}

export function describeReply(r: Reply): string {
  const first = r.lines[0] ?? '';
  const more = r.lines.length > 1 ? ` (+${r.lines.length - 1} lines)` : '';
  const defects = r.defects.length ? ` [${r.defects.join(', ')}]` : '';
  return `${r.code} ${first}`.trimEnd() + more + defects;
}

/** Returns undefined when the outcome satisfies the expectation, else why not. */
export function judge(e: Expectation, o: ReadOutcome): string | undefined {
  if (e.kind === 'closed') {
    return o.kind === 'closed' ? undefined : 'expected the server to close the connection';
  }
  if (e.kind === 'silence') {
    return o.kind === 'timeout' ? undefined : 'expected no reply';
  }
  if (o.kind !== 'reply') return 'expected a reply';
  const r = o.reply;
  if (e.code && !e.code.some((p) => codeMatches(r.code, p))) return `reply code ${r.code} is not ${e.code.join(' or ')}`;
  if (e.not && e.not.some((p) => codeMatches(r.code, p))) return `reply code ${r.code} is one the RFC excludes here`;
  if (e.enhanced) {
    if (!r.enhanced) return 'reply carries no enhanced status code';
    if (e.enhanced !== 'present') {
      const actual = formatEnhanced(r.enhanced).split('.');
      const want = e.enhanced.split('.');
      if (!want.every((w, i) => w === 'x' || w === actual[i])) return `enhanced code ${formatEnhanced(r.enhanced)} is not ${e.enhanced}`;
    }
  }
  if (e.text !== undefined) {
    const re = new RegExp(e.text, 'i');
    if (!r.lines.some((l) => re.test(l))) return `no reply line matches /${e.text}/i`;
  }
  if (e.notText !== undefined) {
    const re = new RegExp(e.notText, 'i');
    const hit = r.lines.find((l) => re.test(l));
    if (hit !== undefined) return `reply line ${JSON.stringify(hit)} matches /${e.notText}/i`;
  }
  if (e.wellFormed && r.defects.length) return `malformed reply: ${r.defects.join(', ')}`;
  return undefined;
}
