/**
 * The bundle (scripts/build.mjs) that bin/smtptest.js runs when it is
 * current: built here into a directory of its own, then run as the bin runs
 * it, so these tests hold whatever state the working copy's dist/ is in.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadResult } from '../harness/load/types.ts';

const exec = promisify(execFile);
const ROOT = path.resolve('.');
// Inside the package, so the bundle finds the package root (package.json) above it, as dist/ does.
const OUT = fs.mkdtempSync(path.join(ROOT, 'test', 'artifacts', 'bundle-'));

async function run(file: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec('node', [file, ...args], { timeout: 120_000, env: { ...process.env, ...env } });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout: string; stderr: string };
    return { code: err.code ?? -1, stdout: err.stdout, stderr: err.stderr };
  }
}

/** Runs the bundle in OUT the way bin/smtptest.js runs dist/. */
const RUNNER = path.join(OUT, 'run.mjs');
const bundled = (args: string[]) => run(RUNNER, args);

beforeAll(async () => {
  await exec('node', ['scripts/build.mjs', OUT], { timeout: 60_000 });
  fs.writeFileSync(RUNNER, `const { main } = await import('./smtptest.js');\nprocess.exitCode = await main(process.argv.slice(2));\n`);
}, 90_000);

afterAll(() => fs.rmSync(OUT, { recursive: true, force: true }));

describe('the bundle', () => {
  it('lists its sources, and runs without tsx', async () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(OUT, 'build.json'), 'utf8')) as { builtAtMs: number; inputs: { file: string; sha1: string }[] };
    const files = manifest.inputs.map((i) => i.file);
    expect(files).toContain('harness/cli/index.ts');
    expect(files).toContain('suites/limits.ts');
    expect(files.every((f) => !f.startsWith('node_modules/'))).toBe(true);
    const cli = manifest.inputs.find((i) => i.file === 'harness/cli/index.ts')!;
    expect(cli.sha1).toBe(createHash('sha1').update(fs.readFileSync(cli.file)).digest('hex'));
    // No module in the bundle imports tsx at load time: only a user's TypeScript suite needs it.
    const code = fs.readdirSync(OUT).filter((f) => f.endsWith('.js')).map((f) => fs.readFileSync(path.join(OUT, f), 'utf8'));
    expect(code.filter((c) => /^import .* from "tsx\//m.test(c))).toEqual([]);
    const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8')) as { version: string };
    expect(await bundled(['--version'])).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
  });

  it('runs the built-in suites, TypeScript ones included, against the embedded target', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bundle-run-'));
    try {
      const r = await bundled(['run', '--suite', 'basic', '--suite', 'limits', '--out', dir, '--reporter', 'json,html']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const result = JSON.parse(fs.readFileSync(path.join(dir, 'results.json'), 'utf8')) as { scenarios: { id: string; suite: string }[] };
      expect(result.scenarios.some((s) => s.suite === 'limits')).toBe(true);
      // The report inlines its assets (reports/html) and uPlot, found from the bundle's directory.
      const html = fs.readFileSync(path.join(dir, 'report.html'), 'utf8');
      expect(html).toMatch(/RFC 5321/);
      expect(html.length).toBeGreaterThan(50_000);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs load with worker threads (the worker is an entry of its own)', async () => {
    const json = path.join(OUT, 'load.json');
    const r = await bundled(['load', '-m', '400', '-c', '4', '--workers', '2', '--no-progress', '--json', json]);
    expect(r.code).toBe(0);
    const result = JSON.parse(fs.readFileSync(json, 'utf8')) as LoadResult;
    expect(result.messages.accepted).toBe(400);
    expect(result.workers).toBe(2);
  });

  it('runs a TypeScript suite of the user’s, outside any package, from the bundle and from the sources', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bundle-suite-'));
    try {
      const file = path.join(dir, 'mine.ts');
      fs.writeFileSync(
        file,
        `const times: number = 2;\nexport default {\n  title: 'a user suite',\n  rfc: '5321',\n  scenarios: [{ id: 'MINE-NOOP', title: 'NOOP answers 250', level: 'MUST', section: '4.1.1.9',\n    steps: Array.from({ length: times }, () => [{ send: 'NOOP' }, { expect: 250 }]).flat() }],\n};\n`,
      );
      for (const r of [await bundled(['run', '--suite', file]), await run('bin/smtptest.js', ['run', '--suite', file], { SMTPTEST_FROM_SOURCE: '1' })]) {
        expect(r.stdout).toMatch(/^pass\s+MUST\s+MINE-NOOP/m);
        expect(r.code).toBe(0);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('bin/smtptest.js', () => {
  // A package of stubs: the bin's choice shows in what it prints.
  const pkg = fs.mkdtempSync(path.join(os.tmpdir(), 'bin-choice-'));
  const bin = path.join(pkg, 'bin', 'smtptest.js');
  const source = path.join(pkg, 'harness', 'cli', 'index.ts');
  beforeAll(() => {
    fs.mkdirSync(path.dirname(bin), { recursive: true });
    fs.mkdirSync(path.dirname(source), { recursive: true });
    fs.mkdirSync(path.join(pkg, 'dist'));
    fs.copyFileSync('bin/smtptest.js', bin);
    fs.writeFileSync(path.join(pkg, 'package.json'), '{ "type": "module" }\n');
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(pkg, 'node_modules'));
    fs.writeFileSync(source, `export async function main(argv: string[]): Promise<number> { console.log('sources', argv.join(' ')); return 0; }\n`);
    fs.writeFileSync(path.join(pkg, 'dist', 'smtptest.js'), `export async function main(argv) { console.log('bundle', argv.join(' ')); return 0; }\n`);
  });
  afterAll(() => fs.rmSync(pkg, { recursive: true, force: true }));

  const sha1 = (f: string) => createHash('sha1').update(fs.readFileSync(f)).digest('hex');
  const manifest = (builtAtMs: number, inputs: { file: string; sha1: string }[]) => fs.writeFileSync(path.join(pkg, 'dist', 'build.json'), JSON.stringify({ builtAtMs, inputs }));

  it('runs the bundle only while every source it was built from is as it was', async () => {
    const mtime = fs.statSync(source).mtimeMs;
    const built = [{ file: 'harness/cli/index.ts', sha1: sha1(source) }];
    manifest(mtime + 1000, built);
    expect((await run(bin, ['list'])).stdout).toBe('bundle list\n');
    expect((await run(bin, ['list'], { SMTPTEST_FROM_SOURCE: '1' })).stdout).toBe('sources list\n');
    // Newer than the build but the same content (a checkout, an installed package): still the bundle.
    manifest(mtime - 1000, built);
    expect((await run(bin, ['list'])).stdout).toBe('bundle list\n');
    // Newer and changed: the sources.
    manifest(mtime - 1000, [{ file: 'harness/cli/index.ts', sha1: '0'.repeat(40) }]);
    expect((await run(bin, ['list'])).stdout).toBe('sources list\n');
    manifest(mtime + 1000, [...built, { file: 'harness/gone.ts', sha1: '0'.repeat(40) }]); // a source removed since
    expect((await run(bin, ['list'])).stdout).toBe('sources list\n');
    manifest(mtime + 1000, ['harness/cli/index.ts'] as never); // the manifest of an older build
    expect((await run(bin, ['list'])).stdout).toBe('sources list\n');
    fs.rmSync(path.join(pkg, 'dist', 'build.json')); // never built
    expect((await run(bin, ['list'])).stdout).toBe('sources list\n');
  });
});
