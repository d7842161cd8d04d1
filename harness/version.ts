import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const pkgFile = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'package.json');
const version = (JSON.parse(fs.readFileSync(pkgFile, 'utf8')) as { version: string }).version;

export function toolInfo(): { name: 'smtptest'; version: string; node: string } {
  return { name: 'smtptest', version, node: process.version };
}
