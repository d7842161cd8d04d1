/**
 * The placeholders of scenario text (send, raw, pipeline, data, bdat), filled
 * per run by the conformance runner and by the load workload player alike:
 *
 *   {{token}}   a marker unique to this run (for read-back)
 *   {{domain}}  a domain the target serves        {{rcpt}}  a recipient it accepts
 *   {{sender}}  a sender address for the harness  {{client}} the name it gives in EHLO
 *   {{authPlain}}, {{authUser}}, {{authPassword}}: the target's AUTH account in
 *   base64, as AUTH PLAIN's message (RFC 4616 §2: NUL user NUL password) and
 *   as LOGIN's two responses; a scenario that uses them needs `credentials`.
 */
export interface Placeholders {
  token: string;
  domain: string;
  rcpt: string;
  sender: string;
  client: string;
  authPlain: string;
  authUser: string;
  authPassword: string;
}

const PATTERN = /\{\{(token|domain|rcpt|sender|client|authPlain|authUser|authPassword)\}\}/g;

export function placeholderValues(v: { token: string; domain: string; rcpt: string; sender: string; client: string; auth?: { user: string; password: string } }): Placeholders {
  const { user = '', password = '' } = v.auth ?? {};
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
  return { token: v.token, domain: v.domain, rcpt: v.rcpt, sender: v.sender, client: v.client, authPlain: b64(`\0${user}\0${password}`), authUser: b64(user), authPassword: b64(password) };
}

export function fillPlaceholders(text: string, v: Placeholders): string {
  return text.replace(PATTERN, (_, k: keyof Placeholders) => v[k]);
}

/** Whether steps use the AUTH account's placeholders. */
export function usesCredentials(steps: unknown): boolean {
  return /\{\{auth(Plain|User|Password)\}\}/.test(JSON.stringify(steps));
}

/**
 * `text` with the AUTH account's values put back as their placeholders, so
 * transcripts (results.json, JUnit, HTML) never carry the credentials, not
 * even in base64. For a target with an account only.
 */
export function redactCredentials(text: string, v: Placeholders): string {
  let out = text;
  for (const k of ['authPlain', 'authPassword', 'authUser'] as const) if (v[k]) out = out.split(v[k]).join(`{{${k}}}`);
  return out;
}
