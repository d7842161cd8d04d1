/**
 * The HTML report in a real headless browser: Debian's chromium driven by
 * playwright-core (no browser download; scripts/install-browser installs it).
 * Real runs feed it: a suite against two targets (embedded and sink) and a
 * short open-loop load run against the sink. Screenshots and a PDF go to
 * test/artifacts/.
 *
 * Without /usr/bin/chromium the tests skip with a loud reason, unless
 * SMTPTEST_REQUIRE_BROWSER=1 (CI), when they fail.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { runCli } from './helpers/cli.ts';
import { runSuites } from '../harness/runner/index.ts';
import { runLoad } from '../harness/load/index.ts';
import type { RunResult } from '../harness/runner/types.ts';
import type { LoadResult } from '../harness/load/types.ts';

const CHROMIUM = '/usr/bin/chromium';
const HAVE_BROWSER = fs.existsSync(CHROMIUM);
const REQUIRED = process.env.SMTPTEST_REQUIRE_BROWSER === '1';
const ARTIFACTS = path.resolve('test/artifacts');

if (!HAVE_BROWSER && !REQUIRED) {
  process.stderr.write(
    `\n*** report-browser: SKIPPED — ${CHROMIUM} is missing. Install it with scripts/install-browser ` +
      `(apt-get install chromium). Set SMTPTEST_REQUIRE_BROWSER=1 to make this a failure. ***\n\n`,
  );
}


const SUITE = `title: Report demo
rfc: 5321
scenarios:
  - id: DEMO-GREETING
    title: The server greets with 220
    section: "3.1"
    level: MUST
    prelude: none
    steps:
      - expect: { code: 220, wellFormed: true }
  - id: DEMO-NOOP-251
    title: NOOP answered 251 (wrong on purpose, so the report has a failure)
    section: "4.1.1.9"
    level: MUST
    steps:
      - send: NOOP
      - expect: 251
  - id: DEMO-HELP
    title: HELP is answered 211 or 214
    section: "4.1.1.8"
    level: MAY
    steps:
      - send: HELP
      - expect: [211, 214]
  - id: DEMO-VRFY
    title: VRFY is answered 250, 251 or 252
    section: "3.5.3"
    level: SHOULD
    steps:
      - send: VRFY postmaster
      - expect: [250, 251, 252]
  - id: DEMO-NEEDS-X
    title: Needs an extension nobody offers
    section: "2.2.1"
    level: MAY
    requires: [XNOTHING]
    steps:
      - send: NOOP
      - expect: 250
`;

function browserTests(): void {
  let dir: string;
  let runs: RunResult[];
  let load: LoadResult;
  let html: string;
  let context: BrowserContext;
  let page: Page;
  const consoleErrors: string[] = [];
  const external: string[] = [];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smtptest-browser-'));
    const suite = path.join(dir, 'report-demo.yaml');
    fs.writeFileSync(suite, SUITE);
    runs = [];
    for (const target of ['embedded', 'sink']) runs.push(await runSuites({ target, suites: [suite], expectations: false }));
    load = await runLoad({ target: 'sink:rcpt-5xx=2%,reset=0.5%,eod-delay=2ms', rate: 200, durationS: 3, connections: 4 });
    const files = [...runs.map((r, i) => [`results-${i}.json`, r] as const), ['load.json', load] as const].map(([name, data]) => {
      const f = path.join(dir, name);
      fs.writeFileSync(f, JSON.stringify(data));
      return f;
    });
    html = path.join(dir, 'report.html');
    expect((await runCli(['report', ...files, '-o', html])).code).toBe(0);

    context = await chromium.launchPersistentContext(path.join(dir, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1366, height: 900 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file:') || url.startsWith('data:')) return route.continue();
      external.push(url);
      return route.abort();
    });
    await page.goto(`file://${html}`);
    await page.waitForSelector('[data-chart] canvas');
    fs.mkdirSync(ARTIFACTS, { recursive: true });
  });

  afterAll(async () => {
    await context?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('opens with no console errors and no network access', () => {
    expect(consoleErrors).toEqual([]);
    expect(external).toEqual([]);
  });

  it('shows the summary counts of each results.json', async () => {
    expect(runs[0]!.summary.failed).toBeGreaterThan(0);
    for (const [i, run] of runs.entries()) {
      for (const k of ['total', 'passed', 'failed', 'errored', 'skipped', 'warnings'] as const) {
        const cell = page.locator(`td[data-target="${i}"][data-level="all"][data-count="${k}"]`);
        expect(Number(await cell.textContent()), `${run.target.name} ${k}`).toBe(run.summary[k]);
      }
      const verdict = await page.locator(`.target-card[data-target="${i}"] .verdict`).textContent();
      expect(verdict).toBe(run.verdict === 'pass' ? 'PASS' : 'FAIL');
    }
    const ids = new Set(runs.flatMap((r) => r.scenarios.map((s) => s.id)));
    expect(await page.locator('tr.scenario').count()).toBe(ids.size);
  });

  it('filters by text, failures only and differences only', async () => {
    const visibleIds = async () => page.locator('tr.scenario:not(.hidden)').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-id')).sort());
    const all = (await visibleIds()).length;
    await page.fill('#filter', 'noop-251');
    expect(await visibleIds()).toEqual(['DEMO-NOOP-251']);
    expect(await page.locator('#shown').textContent()).toBe(`1 of ${all} scenarios shown`);
    await page.fill('#filter', 'no such scenario');
    expect(await visibleIds()).toEqual([]);
    expect(await page.locator('tbody.suite:not(.hidden)').count()).toBe(0);
    await page.fill('#filter', '');
    expect((await visibleIds()).length).toBe(all);

    const statuses = (id: string) => runs.map((r) => r.scenarios.find((s) => s.id === id)?.status ?? 'absent');
    const ids = [...new Set(runs.flatMap((r) => r.scenarios.map((s) => s.id)))];
    await page.check('#failures-only');
    expect(await visibleIds()).toEqual(ids.filter((id) => statuses(id).some((s) => s === 'failed' || s === 'errored')).sort());
    await page.uncheck('#failures-only');
    await page.check('#differences-only');
    expect(await visibleIds()).toEqual(ids.filter((id) => new Set(statuses(id)).size > 1).sort());
    await page.uncheck('#differences-only');
    expect((await visibleIds()).length).toBe(all);
  });

  it('draws every chart (a canvas with content)', async () => {
    const plots = page.locator('[data-chart]');
    expect(await plots.count()).toBe(5);
    const inked = await plots.evaluateAll((els) =>
      els.map((el) => {
        const canvas = el.querySelector('canvas');
        if (!canvas || canvas.width === 0 || canvas.height === 0) return 0;
        const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
        let n = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) n++;
        return n / (canvas.width * canvas.height);
      }),
    );
    for (const share of inked) expect(share).toBeGreaterThan(0.005);
    // The open-loop spectrum has the corrected and the uncorrected series.
    const legend = await page.locator('[data-chart="spectrum"] .u-legend').textContent();
    expect(legend).toContain('corrected');
    expect(legend).toContain('uncorrected');
  });

  it('saves screenshots and prints (controls hidden)', async () => {
    await page.screenshot({ path: path.join(ARTIFACTS, 'report.png'), fullPage: true });
    await page.locator('#load').screenshot({ path: path.join(ARTIFACTS, 'report-load.png') });
    expect(fs.statSync(path.join(ARTIFACTS, 'report.png')).size).toBeGreaterThan(20_000);
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('.controls').isVisible()).toBe(false);
    await page.pdf({ path: path.join(ARTIFACTS, 'report.pdf'), format: 'A4' });
    expect(fs.statSync(path.join(ARTIFACTS, 'report.pdf')).size).toBeGreaterThan(20_000);
    await page.emulateMedia({ media: 'screen' });
    expect(consoleErrors).toEqual([]);
  });
}

if (HAVE_BROWSER) {
  describe('HTML report in a browser', browserTests);
} else if (REQUIRED) {
  describe('HTML report in a browser (required)', () => {
    it(`needs ${CHROMIUM} (SMTPTEST_REQUIRE_BROWSER=1)`, () => {
      throw new Error(`${CHROMIUM} is missing and SMTPTEST_REQUIRE_BROWSER=1: run scripts/install-browser`);
    });
  });
} else {
  describe.skip(`HTML report in a browser — SKIPPED: ${CHROMIUM} is missing (scripts/install-browser)`, browserTests);
}
