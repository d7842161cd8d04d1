import { describe, expect, it } from 'vitest';
import { buildMatrix, matrixMarkdown, matrixText } from '../harness/matrix/index.ts';
import type { RunResult, ScenarioResult } from '../harness/runner/types.ts';

const scenario = (id: string, status: ScenarioResult['status']): ScenarioResult =>
  ({ id, title: id, suite: 's', file: 'f', rfc: '5321', section: '1', level: 'MUST', durationMs: 0, transcript: [], status, ...(status === 'skipped' ? { skipReason: 'r' } : {}) }) as ScenarioResult;

const run = (name: string, statuses: Record<string, ScenarioResult['status']>): RunResult => ({
  schemaVersion: 1,
  tool: { name: 'smtptest', version: '0', node: 'v20' },
  target: { name, host: 'h', port: 1, description: `${name} 1.0`, capabilities: { keywords: {} } },
  startedAt: '',
  durationMs: 0,
  options: { profile: 'strict', strict: false, timeoutScale: 1, replyTimeoutMs: 1, concurrency: 1 },
  summary: { total: 0, passed: 0, failed: 0, errored: 0, skipped: 0, warnings: 0, knownDeviations: 0, unexpected: 0 },
  verdict: 'pass',
  scenarios: Object.entries(statuses).map(([id, st]) => scenario(id, st)),
});

describe('conformance matrix', () => {
  it('puts each scenario in a row with one cell per target and marks rows that differ', () => {
    const m = buildMatrix([run('postfix', { A: 'passed', B: 'failed' }), run('exim', { A: 'passed', B: 'passed', C: 'skipped' })]);
    expect(m.rows.map((r) => [r.id, r.cells, r.differs])).toEqual([
      ['A', ['passed', 'passed'], false],
      ['B', ['failed', 'passed'], true],
      ['C', [undefined, 'skipped'], true],
    ]);
    expect(matrixText(m)).toMatch(/^B\s+MUST\s+FAIL\s+pass\s+\*$/m);
    expect(matrixMarkdown(m, 'smtptest matrix')).toContain('| **B** | 5321 §1 | MUST | FAIL | pass |');
  });
});
