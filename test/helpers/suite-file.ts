import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Writes a suite file into a fresh temporary directory and returns its path. */
export function suiteFile(name: string, yaml: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smtptest-suite-'));
  const file = path.join(dir, name);
  fs.writeFileSync(file, yaml);
  return file;
}
