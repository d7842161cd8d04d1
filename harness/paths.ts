/**
 * Where the package's own files are (suites, certificates, MTA configs,
 * report assets), whether this code runs from its TypeScript sources or
 * from the bundle in dist/ (scripts/build.mjs), where every module shares
 * one directory. The root is the nearest directory above this module with a
 * package.json.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

declare const __SMTPTEST_BUNDLE__: boolean | undefined;

/** True in the bundle: scripts/build.mjs defines the constant; sources (tsx, vitest) leave it undefined. */
export const BUNDLED = typeof __SMTPTEST_BUNDLE__ !== 'undefined' && __SMTPTEST_BUNDLE__;

function packageRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`smtptest: no package.json above ${from}`);
  }
}

export const PACKAGE_ROOT = packageRoot(path.dirname(fileURLToPath(import.meta.url)));

/** A path inside the package: fromPackage('targets', 'embedded', 'test-key.pem'). */
export function fromPackage(...parts: string[]): string {
  return path.join(PACKAGE_ROOT, ...parts);
}
