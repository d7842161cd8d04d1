/** results.json: the RunResult contract (see harness/runner/types.ts), written as is. */
import fs from 'node:fs';
import path from 'node:path';
import type { Reporter, RunResult } from '../harness/runner/types.ts';

export function jsonReporter(file: string): Reporter {
  return {
    onRunEnd(run: RunResult) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, JSON.stringify(run, null, 2) + '\n');
    },
  };
}
