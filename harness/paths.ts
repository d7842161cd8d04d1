/**
 * Where the package's own files are (suites, certificates, MTA configs,
 * report assets), whether this code runs from its TypeScript sources or
 * from the bundle in dist/ (scripts/build.mjs), where every module shares
 * one directory. The root is the nearest directory above this module with a
 * package.json.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

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

/**
 * Imports a TypeScript file (a suite written as a module) through tsx, from
 * the sources or the bundle alike, and whether Node would take the file for
 * an ES module or for CommonJS (a .ts file outside a package with
 * "type": "module"). Returns the module's default export.
 */
export async function importTypeScriptDefault(file: string): Promise<unknown> {
  const { tsImport } = await import('tsx/esm/api');
  const mod = (await tsImport(pathToFileURL(file).href, import.meta.url)) as { default?: unknown };
  // Compiled as CommonJS, `export default x` is module.exports.default, and the namespace's default is module.exports.
  const d = mod.default;
  return d !== null && typeof d === 'object' && (d as { __esModule?: boolean }).__esModule ? (d as { default?: unknown }).default : d;
}
