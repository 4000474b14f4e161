// Erasing one member from the reports kept in a report folder (`loyalty-sync forget`): report.json and
// latest.json lose every listed entry about it (plannedSample, failures, any list of objects with its
// contactId) and any text naming it; rejects.csv loses its rows; report.html is rendered again from the
// redacted report.json. Files are rewritten atomically; anything else in a run folder that still names
// the member is listed, never guessed at.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { RunRecord } from '../state/runs.ts';
import { escapeHtml } from './escape-html.ts';
import { renderReportHtml } from './report-html.ts';
import { reportSchema, type RunReport } from '../base/report-schema.ts';
import { writeAtomically } from './write-report.ts';

const FORGOTTEN = '[forgotten]';

export interface ReportsForgotten {
  /** Files rewritten without the member. */
  changed: string[];
  /** Other files that still name it (not ours to rewrite). */
  untouched: string[];
}

export function forgetInReports(reportDir: string, contactId: string, context: { history: readonly RunRecord[]; timeZone: string }): ReportsForgotten {
  const names = (existsSync(reportDir) ? readdirSync(reportDir) : []).sort();
  const mentions = mentionsOf(contactId);
  const outcome: ReportsForgotten = { changed: [], untouched: [] };
  const latest = join(reportDir, 'latest.json');
  if (existsSync(latest) && redactReportFile(latest, contactId, mentions)) outcome.changed.push(latest);
  for (const name of names) {
    const folder = join(reportDir, name);
    if (!statSync(folder).isDirectory()) continue;
    // report.json first: report.html is rendered again from it.
    for (const file of readdirSync(folder).sort((a, b) => Number(b === 'report.json') - Number(a === 'report.json') || a.localeCompare(b))) {
      const path = join(folder, file);
      if (!statSync(path).isFile()) continue;
      const changed =
        file === 'report.json' ? redactReportFile(path, contactId, mentions)
        : file === 'report.html' ? redactHtml(path, join(folder, 'report.json'), contactId, context)
        : file === 'rejects.csv' ? dropCsvRecords(path, mentions)
        : undefined;
      if (changed) outcome.changed.push(path);
      else if (changed === undefined && mentioned(mentions, readFileSync(path, 'latin1'))) outcome.untouched.push(path);
    }
  }
  return outcome;
}

/** `text` as a whole token: forgetting `M-1005` leaves `M-10052` alone. */
function mentionsOf(text: string): RegExp {
  return new RegExp(`(?<![\\w-])${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w-])`, 'g');
}

function mentioned(pattern: RegExp, text: string): boolean {
  pattern.lastIndex = 0;
  return pattern.test(text);
}

function redactReportFile(path: string, contactId: string, mentions: RegExp): boolean {
  const text = readFileSync(path, 'utf8');
  if (!mentioned(mentions, text)) return false;
  const redacted = redactValue(JSON.parse(text), contactId, mentions);
  writeAtomically(path, `${JSON.stringify(redacted, null, 2)}\n`);
  return true;
}

/** Lists lose the member's entries; text naming it gets a placeholder instead. */
function redactValue(value: unknown, contactId: string, mentions: RegExp): unknown {
  if (typeof value === 'string') return value.replace(mentions, FORGOTTEN);
  if (Array.isArray(value)) {
    return value.filter((item) => !(isRecord(item) && item.contactId === contactId)).map((item) => redactValue(item, contactId, mentions));
  }
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactValue(item, contactId, mentions)]));
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** report.html again from its (already redacted) report.json; else the member's name is replaced in place. */
function redactHtml(path: string, reportPath: string, contactId: string, context: { history: readonly RunRecord[]; timeZone: string }): boolean {
  const html = readFileSync(path, 'utf8');
  const [mentions, escaped] = [mentionsOf(contactId), mentionsOf(escapeHtml(contactId))];
  if (!mentioned(mentions, html) && !mentioned(escaped, html)) return false;
  const report = readReport(reportPath);
  writeAtomically(path, report ? renderReportHtml(report, context.history, { timeZone: context.timeZone }) : html.replace(mentions, FORGOTTEN).replace(escaped, FORGOTTEN));
  return true;
}

function readReport(path: string): RunReport | undefined {
  try {
    const parsed = reportSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** rejects.csv without the records naming the member; every other record keeps its exact bytes. */
function dropCsvRecords(path: string, mentions: RegExp): boolean {
  const records = parse(readFileSync(path, 'utf8'), { raw: true, relax_column_count: true }) as unknown as { record: string[]; raw: string }[];
  const kept = records.filter(({ record }, index) => index === 0 || !record.some((cell) => mentioned(mentions, cell)));
  if (kept.length === records.length) return false;
  writeAtomically(path, kept.map(({ raw }) => raw).join(''));
  return true;
}
