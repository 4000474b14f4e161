// report.html as a browser draws it: headless Chromium renders real and synthetic reports at desktop and
// phone width to a PNG of the window's size, with the status banner in its colour at the top. Without
// Chromium these tests are skipped (CI installs it, and there they must run).
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderReportHtml } from '../../src/report/report-html.ts';
import type { RunReport } from '../../src/base/report-schema.ts';
import { STATUS_COLOURS } from '../../src/report/status-colours.ts';
import { CHROMIUM, needs } from '../fixtures/system-programs.ts';
import { screenshot } from './fixtures/chromium.ts';
import { pngSize, readPng } from './fixtures/png.ts';
import { runSituations, type Situations } from './fixtures/report-situations.ts';
import { syntheticHistory, syntheticReport } from './fixtures/synthetic-report.ts';

const VIEWPORTS = [
  { name: 'desktop', width: 1280, height: 1600 },
  { name: 'phone', width: 390, height: 1600 },
] as const;

const canRender = needs(CHROMIUM);
let situations: Situations;
beforeAll(async () => {
  if (canRender) situations = await runSituations();
});
afterAll(() => situations?.close());

async function expectRendered(htmlFile: string, report: RunReport) {
  for (const viewport of VIEWPORTS) {
    const png = join(dirname(htmlFile), `report-${viewport.name}.png`);
    const result = await screenshot(htmlFile, png, viewport.width, viewport.height);
    expect(result.exitCode, `chromium exited with ${result.exitCode}: ${result.stderr.slice(-2000)}`).toBe(0);
    const bytes = readFileSync(png);
    // A blank or failed page compresses to a few kilobytes at this size.
    expect(statSync(png).size, `${viewport.name} screenshot size`).toBeGreaterThan(20_000);
    expect(pngSize(bytes)).toEqual({ width: viewport.width, height: viewport.height });
    const image = readPng(bytes);
    expect(image.colourAt(6, 6), `${viewport.name}: banner colour at the top left`).toBe(STATUS_COLOURS[report.status]);
    expect(image.colourAt(viewport.width - 6, 6), `${viewport.name}: the banner spans the width`).toBe(STATUS_COLOURS[report.status]);
    const colours = new Set<string>();
    for (let y = 0; y < viewport.height; y += 40) for (let x = 0; x < viewport.width; x += 20) colours.add(image.colourAt(x, y));
    expect(colours.size, `${viewport.name}: distinct colours drawn`).toBeGreaterThan(20);
  }
}

describe('report.html in headless Chromium', () => {
  it('renders a real partial run, desktop and phone width', async () => {
    const { report, reportPath } = situations.partial;
    const htmlFile = join(dirname(reportPath), 'report.html');
    writeFileSync(htmlFile, renderReportHtml(report, situations.history, { timeZone: 'Europe/Oslo' }));
    await expectRendered(htmlFile, report);
  });

  it('renders a long night that failed, with its error and 30 runs of trend, desktop and phone width', async () => {
    const report = syntheticReport({ status: 'failed', exitCode: 1, error: { code: 'API_DEADLINE', message: 'run deadline reached after 240 minutes; 118 members wait for the next run' } });
    const htmlFile = join(situations.dir, 'synthetic-report.html');
    writeFileSync(htmlFile, renderReportHtml(report, syntheticHistory(40), { timeZone: 'Europe/Oslo' }));
    await expectRendered(htmlFile, report);
  });
});
