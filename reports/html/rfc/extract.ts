/**
 * Section titles and opening sentences from an RFC's plain text, for the
 * HTML report's section links. Run once per RFC and commit the JSON:
 *
 *   npx tsx reports/html/rfc/extract.ts ../shared/rfc/rfc5321.txt > reports/html/rfc/rfc5321.json
 */
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';

export interface RfcSection {
  title: string;
  /** The section's first paragraph, whitespace collapsed, cut near 360 characters. */
  excerpt: string;
}

const HEADING = /^(\d+(?:\.\d+)*|[A-Z](?:\.\d+)*)\.?\s{2,}(\S.*)$/;
/** Blank lines, the page footer, the form feed, the next page's header and blank lines: one line break. */
const PAGE_BREAK = /(?:\n[ \t]*)*\n[^\n]*\[Page \d+\][ \t]*\n\f?\n?RFC \d+[^\n]*\n(?:[ \t]*\n)*/g;

/** Parses the body (after the table of contents) into section → title and excerpt. */
export function extractSections(text: string): Record<string, RfcSection> {
  const lines = text.replace(/\r\n/g, '\n').replace(PAGE_BREAK, '\n').replace(/\f/g, '').split('\n');
  const out: Record<string, RfcSection> = {};
  let current: { id: string; title: string; body: string[] } | undefined;
  const flush = () => {
    if (!current) return;
    const para = firstParagraph(current.body);
    out[current.id] = { title: current.title, excerpt: cut(para, 360) };
  };
  for (const line of lines) {
    const m = HEADING.exec(line);
    // Headings start in column 0; table-of-contents lines end in page numbers with dot leaders.
    if (m && !/\.\s*\.\s*\d+\s*$/.test(line) && !/\s\d+$/.test(line)) {
      flush();
      current = { id: m[1]!, title: m[2]!.trim(), body: [] };
    } else if (current) {
      current.body.push(line);
    }
  }
  flush();
  return out;
}

function firstParagraph(body: string[]): string {
  const words: string[] = [];
  let started = false;
  for (const l of body) {
    if (l.trim() === '') {
      if (started) break;
      continue;
    }
    started = true;
    words.push(l.trim());
  }
  // A word hyphenated across lines ("per-" / "command") keeps its hyphen, not a space.
  return words.join(' ').replace(/\s+/g, ' ').replace(/([a-z])- ([a-z])/g, '$1-$2');
}

function cut(s: string, max: number): string {
  if (s.length <= max) return s;
  const end = s.lastIndexOf(' ', max);
  return s.slice(0, end > max / 2 ? end : max) + ' …';
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: extract.ts RFC.txt > rfcNNNN.json\n');
    process.exit(2);
  }
  process.stdout.write(JSON.stringify(extractSections(fs.readFileSync(file, 'latin1')), null, 1) + '\n');
}
