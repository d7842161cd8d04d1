import { describe, expect, it } from 'vitest';
import { parseSuiteYaml, ScenarioFileError, formatProblem } from '../harness/scenario/load.ts';

function problems(yaml: string) {
  try {
    parseSuiteYaml(yaml, 'suite.yaml');
  } catch (e) {
    if (e instanceof ScenarioFileError) return e.problems.map((p) => ({ at: `${p.line}:${p.col}`, message: p.message }));
    throw e;
  }
  throw new Error('expected the file to be rejected');
}

const head = `title: t
scenarios:
  - id: X-1
    title: x
    section: "4.1"
`;

describe('scenario files: every class of mistake points at file:line:col', () => {
  it('YAML syntax', () => {
    expect(problems(`title: t\nscenarios: [\n  - id: X\n`)[0]!.message).toMatch(/^YAML:/);
  });

  it('an unknown key, at the key', () => {
    expect(problems(head + `    level: MUST\n    stpes: []\n    steps: [ { send: NOOP } ]\n`)).toEqual([{ at: '7:5', message: "unknown key 'stpes'" }]);
  });

  it('a bad enum value, at the value', () => {
    const [p] = problems(head + `    level: MUSTY\n    steps: [ { send: NOOP } ]\n`);
    expect(p!.at).toBe('6:12');
    expect(p!.message).toMatch(/MUST/);
  });

  it('a missing required field, at the scenario', () => {
    const [p] = problems(`title: t\nscenarios:\n  - id: X-1\n    section: "1"\n    level: MAY\n    steps: [ { send: NOOP } ]\n`);
    expect(p!.at).toBe('3:5');
  });

  it('an unknown step kind, at the step', () => {
    const [p] = problems(head + `    level: MUST\n    steps:\n      - send: NOOP\n      - sned: NOOP\n`);
    expect(p!.at).toBe('9:9');
  });

  it('a reply code outside 2xx-5xx, at the code', () => {
    const [p] = problems(head + `    level: MUST\n    steps:\n      - expect: 650\n`);
    expect(p!.at).toBe('8:17');
  });

  it('a malformed duration, at the duration', () => {
    const [p] = problems(head + `    level: MUST\n    steps:\n      - wait: 5 minutes\n`);
    expect(p!.at).toBe('8:15');
  });

  it('an expect that mixes closed with a code', () => {
    const [p] = problems(head + `    level: MUST\n    steps:\n      - expect: { code: 221, closed: true }\n`);
    expect(p!.at).toBe('8:17');
    expect(p!.message).toMatch(/one of/);
  });

  it('a duplicate id, at the second id', () => {
    const dup = `title: t\nscenarios:\n  - { id: A, title: a, section: "1", level: MAY, steps: [ { send: NOOP } ] }\n  - { id: A, title: b, section: "1", level: MAY, steps: [ { send: NOOP } ] }\n`;
    expect(problems(dup)).toEqual([{ at: '4:11', message: 'duplicate scenario id A' }]);
  });

  it('formats a problem with a caret under the offending text', () => {
    try {
      parseSuiteYaml(head + `    level: MUSTY\n    steps: [ { send: NOOP } ]\n`, 'suites/x.yaml');
    } catch (e) {
      const text = formatProblem((e as ScenarioFileError).problems[0]!);
      expect(text.split('\n')).toEqual([expect.stringMatching(/^suites\/x\.yaml:6:12: /), '      level: MUSTY', '             ^']);
      expect((e as ScenarioFileError).code).toBe('E_SCENARIO');
    }
  });

  it('accepts a valid file and records each step line', () => {
    const suite = parseSuiteYaml(head + `    level: MUST\n    steps:\n      - send: NOOP\n      - expect: 250\n`, 'suite.yaml');
    expect(suite.scenarios[0]!.stepLines).toEqual([8, 9]);
    expect(suite.scenarios[0]!.rfc).toBe('5321');
    expect(suite.name).toBe('suite');
  });
});
