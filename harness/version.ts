import fs from 'node:fs';
import { fromPackage } from './paths.ts';

const pkgFile = fromPackage('package.json');
const version = (JSON.parse(fs.readFileSync(pkgFile, 'utf8')) as { version: string }).version;

export function toolInfo(): { name: 'smtptest'; version: string; node: string } {
  return { name: 'smtptest', version, node: process.version };
}
