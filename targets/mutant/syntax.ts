/**
 * Argument syntax of the mutant server: RFC 5321 §4.1.2 and §4.1.3, as pure
 * functions over one command's argument text. No sockets, no state.
 */
import net from 'node:net';

/** Domain = sub-domain *("." sub-domain); sub-domain = Let-dig [Ldh-str] (§4.1.2). */
const SUB_DOMAIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;
/** RFC 6531 §3.3: sub-domain =/ U-label; as octets (latin1 text), UTF-8 checked by the caller. */
const SUB_DOMAIN_8BIT = /^[A-Za-z0-9\x80-\xff](?:[A-Za-z0-9\x80-\xff-]*[A-Za-z0-9\x80-\xff])?$/;

export function isDomain(s: string, eightBit = false): boolean {
  const label = eightBit ? SUB_DOMAIN_8BIT : SUB_DOMAIN;
  return s.length > 0 && s.split('.').every((l) => label.test(l));
}

/** address-literal = "[" ( IPv4 / "IPv6:" IPv6 / General-address-literal ) "]" (§4.1.3). */
export function isAddressLiteral(s: string): boolean {
  if (!s.startsWith('[') || !s.endsWith(']')) return false;
  const inner = s.slice(1, -1);
  // IPv4-address-literal = Snum 3("." Snum); Snum = 1*3DIGIT, 0 through 255
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(inner)) return inner.split('.').every((n) => Number(n) <= 255);
  const colon = inner.indexOf(':');
  if (colon < 0) return false;
  const tag = inner.slice(0, colon);
  const rest = inner.slice(colon + 1);
  if (tag.toLowerCase() === 'ipv6') return net.isIPv6(rest);
  // General-address-literal = Standardized-tag ":" 1*dcontent; dcontent = %d33-90 / %d94-126
  return /^[A-Za-z0-9-]*[A-Za-z0-9]$/.test(tag) && /^[\x21-\x5a\x5e-\x7e]+$/.test(rest);
}

/** atext (RFC 5322 §3.2.3), the characters of an Atom. */
const ATEXT = "A-Za-z0-9!#$%&'*+\\-/=?^_`{|}~";
const DOT_STRING = new RegExp(`^[${ATEXT}]+(?:\\.[${ATEXT}]+)*$`);
const ATOM = new RegExp(`^[${ATEXT}]+$`);

/** Atom = 1*atext (RFC 5321 §4.1.2). */
export function isAtom(s: string): boolean {
  return ATOM.test(s);
}

/** xtext = *( xchar / hexchar ): "!".."~" but "+" and "=", or "+" and two upper-case hex digits (RFC 3461 §4). */
export function isXtext(s: string): boolean {
  return /^(?:[!-*,-<>-~]|\+[0-9A-F]{2})*$/.test(s);
}
/** The non-ascii-ok fault: octets above 127 taken as atext. */
const DOT_STRING_8BIT = new RegExp(`^[${ATEXT}\\x80-\\xff]+(?:\\.[${ATEXT}\\x80-\\xff]+)*$`);
/** Quoted-string = DQUOTE *( qtextSMTP / quoted-pairSMTP ) DQUOTE. */
const QUOTED_STRING = /^"(?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\[\x20-\x7e])*"$/;

export interface Mailbox {
  /** As sent (quoting kept); case preserved (§2.4). */
  local: string;
  /** Domain or address literal, as sent. */
  domain: string;
}

export type PathProblem = 'syntax' | 'local-too-long' | 'domain-too-long' | 'path-too-long';

export interface PathLimits {
  local: number;
  domain: number;
  path: number;
}

/** RFC 5321 §4.5.3.1.1-3: the sizes every server must accept; we refuse nothing smaller. */
export const RFC_PATH_LIMITS: PathLimits = { local: 64, domain: 255, path: 256 };

/** Mailbox = Local-part "@" ( Domain / address-literal ) (§4.1.2). */
export interface MailboxOptions {
  /** Fault non-ascii-ok: octets above 127 in a dot-string local-part. */
  eightBit?: boolean;
  /** Fault quoted-local-501: no Quoted-string local-parts. */
  noQuoted?: boolean;
  /** Fault literal-refused: no address literals after the "@". */
  noLiterals?: boolean;
}

export function parseMailbox(s: string, limits: PathLimits, o: MailboxOptions = {}): Mailbox | PathProblem {
  let local: string;
  let rest: string;
  if (s.startsWith('"')) {
    if (o.noQuoted) return 'syntax';
    const m = /^"(?:[^"\\]|\\.)*"/.exec(s);
    if (!m) return 'syntax';
    local = m[0];
    rest = s.slice(local.length);
    if (!QUOTED_STRING.test(local)) return 'syntax';
  } else {
    const at = s.indexOf('@');
    if (at < 0) return 'syntax';
    local = s.slice(0, at);
    rest = s.slice(at);
    if (!(o.eightBit ? DOT_STRING_8BIT : DOT_STRING).test(local)) return 'syntax';
  }
  if (!rest.startsWith('@')) return 'syntax';
  const domain = rest.slice(1);
  if (!isDomain(domain, o.eightBit) && (o.noLiterals || !isAddressLiteral(domain))) return 'syntax';
  if (local.length > limits.local) return 'local-too-long';
  if (domain.length > limits.domain) return 'domain-too-long';
  return { local, domain };
}

/** A parsed path: null for the reverse-path "<>", "postmaster" for RCPT TO:<Postmaster>. */
export type Path = { kind: 'null' } | { kind: 'postmaster'; text: string } | { kind: 'mailbox'; mailbox: Mailbox; routed: boolean };

export interface PathArgument {
  path: Path;
  /** Text between the brackets, as sent. */
  text: string;
  /** esmtp-param list after the path, as sent. */
  params: string[];
}

export type ArgProblem = PathProblem | 'prefix' | 'space-after-colon' | 'no-brackets' | 'params';

export interface PathOptions extends MailboxOptions {
  /** "FROM:" or "TO:". */
  prefix: 'FROM:' | 'TO:';
  /** Reverse-path: "<>" allowed. Forward-path: "<Postmaster>" allowed (§4.1.1.3). */
  reverse: boolean;
  limits: PathLimits;
  /** Fault lax-path-syntax: a space after the colon and a path without brackets are accepted. */
  lax?: boolean;
  /** Fault size-param-syntax-ok: "KEYWORD=" with an empty value passes the parameter syntax. */
  emptyValues?: boolean;
}

/**
 * "FROM:<path> params" (§3.3: no spaces on either side of the colon; §4.1.2
 * Path = "<" [ A-d-l ":" ] Mailbox ">").
 */
export function parsePathArgument(arg: string, o: PathOptions): PathArgument | ArgProblem {
  if (arg.slice(0, o.prefix.length).toUpperCase() !== o.prefix) return 'prefix';
  let rest = arg.slice(o.prefix.length);
  if (rest.startsWith(' ')) {
    if (!o.lax) return 'space-after-colon';
    rest = rest.trimStart();
  }
  let inner: string;
  let after: string;
  if (!rest.startsWith('<')) {
    if (!o.lax) return 'no-brackets';
    const sp = rest.indexOf(' ');
    inner = sp < 0 ? rest : rest.slice(0, sp);
    after = sp < 0 ? '' : rest.slice(sp);
  } else {
    const close = closingBracket(rest);
    if (close < 0) return 'syntax';
    inner = rest.slice(1, close);
    after = rest.slice(close + 1);
  }
  if (after !== '' && !after.startsWith(' ')) return 'syntax';
  const params = after.split(' ').filter((p) => p !== '');
  const param = o.emptyValues ? /^[A-Za-z0-9][A-Za-z0-9-]*(=[\x21-\x3c\x3e-\x7e]*)?$/ : /^[A-Za-z0-9][A-Za-z0-9-]*(=[\x21-\x3c\x3e-\x7e]+)?$/;
  if (!params.every((p) => param.test(p))) return 'params';
  if (inner.length + 2 > o.limits.path) return 'path-too-long';
  if (inner === '') return o.reverse ? { path: { kind: 'null' }, text: inner, params } : 'syntax';
  if (!o.reverse && /^postmaster$/i.test(inner)) return { path: { kind: 'postmaster', text: inner }, text: inner, params };
  // A-d-l = At-domain *( "," At-domain ): accepted and ignored (§4.1.1.3, Appendix C).
  let mailboxText = inner;
  let routed = false;
  const route = /^(@[^,:]+(?:,@[^,:]+)*):/.exec(inner);
  if (route) {
    if (!route[1]!.split(',').every((d) => isDomain(d.slice(1)))) return 'syntax';
    mailboxText = inner.slice(route[0].length);
    routed = true;
  }
  const mailbox = parseMailbox(mailboxText, o.limits, o);
  if (typeof mailbox === 'string') return mailbox;
  return { path: { kind: 'mailbox', mailbox, routed }, text: inner, params };
}

/** Index of the ">" that closes the path, skipping quoted strings; -1 if none. */
function closingBracket(s: string): number {
  let quoted = false;
  for (let i = 1; i < s.length; i++) {
    const c = s[i];
    if (quoted && c === '\\') i++;
    else if (c === '"') quoted = !quoted;
    else if (c === '>' && !quoted) return i;
  }
  return -1;
}

/** esmtp-param = esmtp-keyword ["=" esmtp-value] → upper-case keyword and value. */
export function splitParam(p: string): { keyword: string; value: string | undefined } {
  const eq = p.indexOf('=');
  return eq < 0 ? { keyword: p.toUpperCase(), value: undefined } : { keyword: p.slice(0, eq).toUpperCase(), value: p.slice(eq + 1) };
}
