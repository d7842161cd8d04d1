/**
 * The report model as one self-contained HTML file: styles, the client
 * script and uPlot (JS and CSS, read from node_modules at build time) are
 * inlined, so the file opens with no network. Tables are rendered here, so
 * the page reads and prints without JavaScript; the script adds filtering and
 * draws the load charts from the JSON embedded in the page.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fromPackage } from '../../harness/paths.ts';
import { esc, scriptJson, scriptSource } from './html.ts';
import type { ReportModel } from './model.ts';
import { renderConformance } from './render-conformance.ts';
import { chartData, renderLoad } from './render-load.ts';
import { renderComparison } from './render-compare.ts';

const DIR = fromPackage('reports', 'html');
const require = createRequire(import.meta.url);

const assets = new Map<string, string>();
function asset(file: string): string {
  let text = assets.get(file);
  if (text === undefined) {
    text = fs.readFileSync(file, 'utf8');
    assets.set(file, text);
  }
  return text;
}

/** uPlot's minified build and stylesheet, from the installed package. */
export function uplotAssets(): { js: string; css: string } {
  return { js: asset(require.resolve('uplot/dist/uPlot.iife.min.js')), css: asset(require.resolve('uplot/dist/uPlot.min.css')) };
}

export function renderHtml(model: ReportModel): string {
  const hasCharts = model.load.length > 0;
  const nav = [
    model.comparison ? '<a href="#comparison">Comparison</a>' : '',
    model.conformance ? '<a href="#conformance">Conformance</a>' : '',
    hasCharts ? '<a href="#load">Load</a>' : '',
  ].filter(Boolean);
  const uplot = hasCharts ? uplotAssets() : undefined;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="smtptest">
<title>${esc(model.title)}</title>
${uplot ? `<style>${uplot.css}</style>` : ''}
<style>${asset(path.join(DIR, 'style.css'))}</style>
</head>
<body>
<header>
<h1>${esc(model.title)}</h1>
<p class="meta">Generated ${esc(model.generatedAt)} by smtptest.${nav.length > 1 ? ` <nav>${nav.join(' · ')}</nav>` : ''}</p>
</header>
<main>
${model.comparison ? renderComparison(model.comparison) : ''}
${model.conformance ? renderConformance(model.conformance) : ''}
${hasCharts ? renderLoad(model.load) : ''}
${!model.conformance && !hasCharts && !model.comparison ? '<p>No results.</p>' : ''}
</main>
<script type="application/json" id="smtptest-charts">${scriptJson(chartData(model.load))}</script>
${uplot ? `<script>${scriptSource(uplot.js)}</script>` : ''}
<script>${scriptSource(asset(path.join(DIR, 'client.js')))}</script>
</body>
</html>
`;
}
