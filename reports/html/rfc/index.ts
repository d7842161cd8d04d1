/** Section titles and opening sentences of the RFCs we ship extracts of (see ./extract.ts). */
import fs from 'node:fs';
import path from 'node:path';
import { fromPackage } from '../../../harness/paths.ts';
import type { RfcSection } from './extract.ts';

const DIR = fromPackage('reports', 'html', 'rfc');
const cache = new Map<string, Record<string, RfcSection> | null>();

function sectionsOf(rfc: string): Record<string, RfcSection> | null {
  if (!cache.has(rfc)) {
    const file = path.join(DIR, `rfc${rfc.replace(/\D/g, '')}.json`);
    cache.set(rfc, fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, RfcSection>) : null);
  }
  return cache.get(rfc)!;
}

/** The title and excerpt of RFC `rfc` section `section`, or {} when we have no extract of it. */
export function rfcSection(rfc: string, section: string): Partial<RfcSection> {
  const s = sectionsOf(rfc)?.[section];
  return s ? { title: s.title, excerpt: s.excerpt } : {};
}
