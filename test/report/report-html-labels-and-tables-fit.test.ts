// report.html's layout, checked in its own coordinates (the Chromium screenshots look at it as a picture):
// every text of a chart lies inside the chart and clear of its bars, frames, axes and other texts, at any
// history length and value size; every table sits in a box that scrolls sideways, so on a 390 px phone no
// column is cut off, and action names may wrap at their dots there.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HTMLElement } from 'node-html-parser';
import { renderReportHtml } from '../../src/report/report-html.ts';
import { readReportHtml } from './fixtures/report-html-reader.ts';
import { runSituations, type Situations } from './fixtures/report-situations.ts';
import { syntheticHistory, syntheticReport } from './fixtures/synthetic-report.ts';

let situations: Situations;
beforeAll(async () => {
  situations = await runSituations();
}, 60_000);
afterAll(() => situations?.close());

interface Box {
  what: string;
  left: number;
  top: number;
  right: number;
  bottom: number;
}

const FONT = 11; // .chart{font:11px …}: SVG user units, scaled with the chart
/** Generous glyph widths (DejaVu Sans, the widest of the fonts named, is ~0.55 em on average; bold ~0.62). */
const EM_PER_CHAR = { normal: 0.62, bold: 0.7 };

const number = (element: HTMLElement, name: string) => Number(element.getAttribute(name) ?? 0);

function textBox(text: HTMLElement): Box {
  const width = text.text.length * FONT * (text.classList.contains('caption') ? EM_PER_CHAR.bold : EM_PER_CHAR.normal);
  const x = number(text, 'x');
  const anchor = text.getAttribute('text-anchor') ?? 'start';
  const left = anchor === 'end' ? x - width : anchor === 'middle' ? x - width / 2 : x;
  const y = number(text, 'y');
  return { what: `text "${text.text}"`, left, right: left + width, top: y - FONT * 0.8, bottom: y + FONT * 0.25 };
}

function shapeBoxes(svg: HTMLElement): Box[] {
  const rects = svg.querySelectorAll('rect').map((rect) => {
    const [x, y] = [number(rect, 'x'), number(rect, 'y')];
    return { what: `rect ${rect.getAttribute('class') ?? rect.getAttribute('fill')} at ${x},${y}`, left: x, top: y, right: x + number(rect, 'width'), bottom: y + number(rect, 'height') };
  });
  const lines = svg.querySelectorAll('line').map((line) => {
    const [x1, y1, x2, y2] = ['x1', 'y1', 'x2', 'y2'].map((name) => number(line, name)) as [number, number, number, number];
    return { what: `line ${line.getAttribute('class')} at y ${y1}`, left: Math.min(x1, x2), top: Math.min(y1, y2) - 0.5, right: Math.max(x1, x2), bottom: Math.max(y1, y2) + 0.5 };
  });
  return [...rects, ...lines];
}

const overlap = (a: Box, b: Box) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;

/** Every problem of one chart: a text outside the view box, over a shape, or over another text. */
function layoutProblems(svg: HTMLElement): string[] {
  const [, , width, height] = svg.getAttribute('viewBox')!.split(' ').map(Number) as [number, number, number, number];
  const texts = svg.querySelectorAll('text').map(textBox);
  const shapes = shapeBoxes(svg);
  const problems: string[] = [];
  texts.forEach((text, index) => {
    if (text.left < 0 || text.right > width || text.top < 0 || text.bottom > height) problems.push(`${text.what} leaves the ${width}×${height} chart`);
    for (const shape of shapes) if (overlap(text, shape)) problems.push(`${text.what} overlaps ${shape.what}`);
    for (const other of texts.slice(index + 1)) if (overlap(text, other)) problems.push(`${text.what} overlaps ${other.what}`);
  });
  return problems;
}

function pages(): [string, string][] {
  const big = syntheticReport({
    durationsMs: { drain: 0, ingest: 61_000, plan: 95_000, deliver: 14_340_000, total: 14_500_000 },
    delivery: { ...syntheticReport().delivery, timeline: syntheticReport().delivery.timeline.map((slice) => ({ ...slice, accepted: slice.accepted * 600, p95Ms: slice.p95Ms * 9 })) },
  });
  return [
    ['a real partial run after three others', renderReportHtml(situations.partial.report, situations.history)],
    ['a real first run, alone', renderReportHtml(situations.succeeded.report, [])],
    ['a long night with 30 runs of history', renderReportHtml(syntheticReport(), syntheticHistory(40))],
    ['four hours at 100k requests/s with 30 runs', renderReportHtml(big, syntheticHistory(40))],
  ];
}

describe('report.html charts', () => {
  it('keep every label inside the chart and clear of bars, frames, axes and other labels', () => {
    for (const [name, html] of pages()) {
      const charts = readReportHtml(html).root.querySelectorAll('svg.chart');
      expect(charts.length, name).toBeGreaterThanOrEqual(name.startsWith('a real first') ? 2 : 2);
      for (const chart of charts) expect(layoutProblems(chart), `${name}: ${chart.getAttribute('aria-label')}`).toEqual([]);
    }
  });

  it('frame this run in the trend row by row, never across the captions between the rows', () => {
    const trend = readReportHtml(renderReportHtml(syntheticReport(), syntheticHistory(40))).section('trend').querySelector('svg.trend')!;
    const frames = trend.querySelectorAll('g.current rect.highlight');
    expect(frames.length).toBeGreaterThanOrEqual(2);
    const captions = trend.querySelectorAll('text').map(textBox);
    for (const frame of frames) {
      const box = shapeBoxes(frame.parentNode as HTMLElement).find((shape) => shape.what.startsWith('rect highlight') && shape.top === number(frame, 'y'))!;
      expect(captions.filter((caption) => overlap(caption, box)).map((caption) => caption.what)).toEqual([]);
    }
  });
});

describe('report.html tables', () => {
  it('each sit in a box that scrolls sideways, on every page', () => {
    for (const [name, html] of pages()) {
      const page = readReportHtml(html);
      const tables = page.root.querySelectorAll('table');
      expect(tables.length, name).toBeGreaterThan(3);
      for (const table of tables) expect(table.parentNode?.classList.contains('table-scroll'), `${name}: table ${table.getAttribute('data-table')}`).toBe(true);
      const style = page.root.querySelector('style')!.text;
      expect(style).toMatch(/\.table-scroll\{[^}]*overflow-x:auto/);
    }
  });

  it('let action names wrap at their dots on a narrow screen, where they do not wrap on a wide one', () => {
    const page = readReportHtml(renderReportHtml(situations.partial.report, situations.history));
    const codes = page.section('events').querySelectorAll('table code');
    expect(codes.length).toBeGreaterThan(3);
    for (const code of codes) expect(code.innerHTML).toMatch(/^\w+\.<wbr>\w+$/);
    const style = page.root.querySelector('style')!.text;
    const narrow = style.slice(style.indexOf('@media (max-width:640px)'));
    expect(narrow).toMatch(/table:not\(\.cards\) code\{white-space:normal\}/);
  });
});
