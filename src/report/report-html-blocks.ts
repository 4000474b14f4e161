// The pieces the sections of report.html are built from: tiles, tables, meters, fact lists and charts
// with their numbers. Text is escaped on the way in; only `raw` lets markup through, so a section
// cannot put unescaped text on the page by accident.
import { shortAction } from '../base/actions.ts';
import { formatCount } from './display-format.ts';
import { escapeHtml } from './escape-html.ts';

/** A section of the page; a non-zero `count` gets a badge in the nav, so what needs a look stands out. */
export interface ReportSection {
  id: string;
  title: string;
  count?: number;
  body: string;
}

/** Raw HTML, as opposed to text that is escaped on the way in. */
interface Html {
  html: string;
}
export type Cell = string | number | Html | undefined;

export const raw = (html: string): Html => ({ html });
const cellHtml = (cell: Cell) => (typeof cell === 'object' ? cell.html : escapeHtml(typeof cell === 'number' ? formatCount(cell) : (cell ?? '')));
/** An action by its short name, the full name on hover; it may wrap at its dots on a phone. */
export const actionName = (action: string) => raw(`<code title="${escapeHtml(action)}">${escapeHtml(shortAction(action)).replace(/\./g, '.<wbr>')}</code>`);
export const plural = (n: number, one: string, many = `${one}s`) => `${formatCount(n)} ${n === 1 ? one : many}`;

/** Key figures as tiles; a count that needs a look when it is above zero says so with `toneIfAny`. */
export function tiles(entries: { key: string; label: string; value: number | string; toneIfAny?: 'bad' | 'warn' }[]): string {
  return `<dl class="tiles">${entries
    .map(
      (entry) =>
        `<div class="tile${entry.toneIfAny && typeof entry.value === 'number' && entry.value > 0 ? ` ${entry.toneIfAny}` : ''}" data-key="${escapeHtml(entry.key)}"><dt>${escapeHtml(entry.label)}</dt><dd>${escapeHtml(
          typeof entry.value === 'number' ? formatCount(entry.value) : entry.value,
        )}</dd></div>`,
    )
    .join('')}</dl>`;
}

/**
 * A table; unless `cards: false` (narrow tables), one card per row on a narrow screen, each cell labelled
 * with its header. Every table sits in a box that scrolls sideways, so no column is ever cut off.
 */
export function table(name: string, headers: string[], rows: Cell[][], options: { empty?: string; cards?: boolean } = {}): string {
  if (rows.length === 0) return `<p class="none">${escapeHtml(options.empty ?? 'None.')}</p>`;
  const head = headers.map((header) => `<th scope="col">${escapeHtml(header)}</th>`).join('');
  // The <span> keeps a cell's content one piece beside its label when the row becomes a card.
  const body = rows.map((row) => `<tr>${row.map((cell, index) => `<td data-label="${escapeHtml(headers[index] ?? '')}"><span>${cellHtml(cell)}</span></td>`).join('')}</tr>`).join('\n');
  return `<div class="table-scroll"><table${options.cards === false ? '' : ' class="cards"'} data-table="${escapeHtml(name)}"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>`;
}

export function meter(value: number, max: number, colour: string): Html {
  const percent = max > 0 ? Math.min(100, (value / max) * 100) : 0;
  return raw(`<span class="meter" aria-hidden="true"><span style="width:${percent.toFixed(1)}%;background:${colour}"></span></span>`);
}

/** Terms and their values; `plain` on a white section (the banner's sit on the status colour). */
export function factList(facts: readonly [term: string, value: string][], options: { plain?: boolean } = {}): string {
  return `<dl class="facts${options.plain ? ' plain' : ''}">${facts.map(([term, value]) => `<div><dt>${escapeHtml(term)}</dt><dd>${escapeHtml(value)}</dd></div>`).join('')}</dl>`;
}

/** A chart with its legend, and the numbers it draws folded away below it for whoever needs them exactly. */
export function chartWithNumbers(chart: string, legend: readonly [label: string, colour: string][], summary: string, numbers: string): string {
  const keys = legend.map(([label, colour]) => `<span><i style="background:${colour}"></i>${escapeHtml(label)}</span>`).join('');
  return `<figure>${chart}<figcaption class="legend">${keys}</figcaption></figure><details><summary>${escapeHtml(summary)}</summary>${numbers}</details>`;
}
