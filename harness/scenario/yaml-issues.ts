/**
 * zod issues over a YAML document, for file:line:col error reports: what to
 * say about an issue, and where in the source it points. Shared by the
 * scenario and config loaders.
 */
import { isMap, isNode, isScalar, type Document } from 'yaml';
import type { z } from 'zod';

export function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
  if (issue.code === 'invalid_key' && issue.issues[0]) return `key '${String(issue.path[issue.path.length - 1])}': ${describeIssue(issue.issues[0] as z.core.$ZodIssue)}`;
  if (issue.code === 'invalid_union') {
    const inner = issue.errors.flat().find((e) => e.code !== 'invalid_type') ?? issue.errors.flat()[0];
    if (inner) return describeIssue(inner);
  }
  return issue.message;
}

/** The deepest YAML node on the issue's path that exists; an unknown key or a bad record key points at the key. */
export function issueOffset(doc: Document, issue: z.core.$ZodIssue): number {
  const p = issue.path.map((k) => (typeof k === 'symbol' ? String(k) : k));
  const keyNamed = (mapPath: (string | number)[], key: unknown): number => {
    const map = mapPath.length ? doc.getIn(mapPath, true) : doc.contents;
    if (!isMap(map)) return -1;
    const pair = map.items.find((it) => isScalar(it.key) && it.key.value === key);
    return pair && isNode(pair.key) && pair.key.range ? pair.key.range[0] : -1;
  };
  if (issue.code === 'unrecognized_keys' && issue.keys[0]) {
    const off = keyNamed(p, issue.keys[0]);
    if (off >= 0) return off;
  }
  if (issue.code === 'invalid_key' || (issue.code === 'invalid_format' && p.length > 0 && doc.getIn(p, true) === undefined)) {
    const off = keyNamed(p.slice(0, -1), p[p.length - 1]);
    if (off >= 0) return off;
  }
  for (let n = p.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(p.slice(0, n), true);
    if (isNode(node) && node.range) return node.range[0];
  }
  return 0;
}

/** Offset of the node at path `p`, or -1 when there is none. */
export function nodeOffset(doc: Document, p: (string | number)[]): number {
  const node = p.length === 0 ? doc.contents : doc.getIn(p, true);
  return isNode(node) && node.range ? node.range[0] : -1;
}

export function excerpt(source: string, line: number, col: number): string {
  const text = source.split(/\r?\n/)[line - 1] ?? '';
  return `  ${text}\n  ${' '.repeat(Math.max(0, col - 1))}^`;
}
