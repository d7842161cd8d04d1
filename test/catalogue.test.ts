/**
 * The RFC 5321 catalogue as data: enough scenarios, unique ids, every one
 * with a section and a level, every YAML scenario naming the deviation that
 * makes it fail, and docs/scenarios.md in step with suites/.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILTIN_SUITES, findSuiteFiles } from '../harness/runner/index.ts';
import { loadSuites } from '../harness/scenario/load.ts';
import { renderScenarioDocs, SCENARIO_DOC } from '../scripts/gen-scenario-docs.ts';

const suites = await loadSuites(findSuiteFiles(undefined, BUILTIN_SUITES));
const scenarios = suites.flatMap((s) => s.scenarios);

describe('the scenario catalogue', () => {
  it('has at least 120 scenarios', () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(120);
  });

  it('has unique ids', () => {
    const ids = scenarios.map((s) => s.id);
    const dupes = ids.filter((id, i) => ids.indexOf(id) !== i);
    expect(dupes).toEqual([]);
  });

  it('gives every scenario a section and a level', () => {
    const bad = scenarios.filter((s) => !/^\d+(\.\d+)*$/.test(s.section) || !['MUST', 'SHOULD', 'MAY'].includes(s.level) || !/^\d+$/.test(s.rfc));
    expect(bad.map((s) => s.id)).toEqual([]);
  });

  it('names, in a comment above each YAML scenario, the deviation that makes it fail', () => {
    const missing: string[] = [];
    for (const file of findSuiteFiles(undefined, BUILTIN_SUITES).filter((f) => /\.ya?ml$/.test(f) && path.basename(f) !== 'basic.yaml')) {
      const lines = fs.readFileSync(file, 'utf8').split('\n');
      lines.forEach((line, i) => {
        const m = /^ {2}- id: (\S+)/.exec(line);
        if (!m) return;
        let j = i - 1;
        const comment: string[] = [];
        while (j >= 0 && /^\s*#/.test(lines[j]!)) comment.push(lines[j--]!);
        if (!comment.some((c) => /Fails if/.test(c))) missing.push(`${path.basename(file)}:${i + 1} ${m[1]}`);
      });
    }
    expect(missing).toEqual([]);
  });

  it('is what docs/scenarios.md lists (regenerate with npx tsx scripts/gen-scenario-docs.ts)', () => {
    expect(fs.readFileSync(SCENARIO_DOC, 'utf8')).toBe(renderScenarioDocs(suites));
  });

  it('notices a stale doc', () => {
    const fewer = renderScenarioDocs(suites.map((s, i) => (i === 0 ? { ...s, scenarios: s.scenarios.slice(1) } : s)));
    expect(fewer).not.toBe(renderScenarioDocs(suites));
  });
});
