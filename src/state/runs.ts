import type { DatabaseSync } from 'node:sqlite';
import { redactStrings } from '../privacy/redact.ts';
import type { RunReport, RunStatus } from '../base/report-schema.ts';

export interface RunRecord {
  runId: string;
  startedAt: string;
  finishedAt?: string;
  status: RunStatus | 'running';
  reportPath?: string;
  summary?: Pick<RunReport, 'members' | 'events' | 'rows' | 'durationsMs'> & { rowsByKind?: Record<string, number>; columnsByKind?: ColumnsByKind };
}

/** Per file kind, our column name → the header the file had for it. */
export type ColumnsByKind = Record<string, Record<string, string>>;

export interface RunsTable {
  start(runId: string, startedAt: string): void;
  /**
   * `reportPath` is absent when the report could not be written. `columnsByKind`: the columns each file
   * of the export had (the next run checks they are still there).
   */
  finish(report: RunReport, reportPath: string | undefined, columnsByKind?: ColumnsByKind): void;
  /** The newest runs first. */
  recent(limit: number): RunRecord[];
  /** Rows per file kind in the newest run that synced an export (succeeded or partial). */
  lastRowsByKind(): Record<string, number> | undefined;
  /** Columns per file kind in the newest run that synced an export (succeeded or partial). */
  lastColumnsByKind(): ColumnsByKind | undefined;
  /** When the newest run that succeeded finished, however many runs came since. */
  lastSucceededAt(): Date | undefined;
}

export function runsTable(db: DatabaseSync): RunsTable {
  const lastSyncedSummary = (): RunRecord['summary'] | undefined => {
    const row = db.prepare(`SELECT summary FROM runs WHERE status IN ('succeeded', 'partial') ORDER BY started_at DESC, run_id DESC LIMIT 1`).get() as
      | { summary: string | null }
      | undefined;
    return row?.summary ? (JSON.parse(row.summary) as RunRecord['summary']) : undefined;
  };
  return {
    start(runId, startedAt) {
      db.prepare(`INSERT INTO runs (run_id, started_at, status) VALUES (?, ?, 'running')`).run(runId, startedAt);
    },
    finish(report, reportPath, columnsByKind) {
      const rowsByKind: Record<string, number> = {};
      for (const file of report.source.files) rowsByKind[file.kind] = (rowsByKind[file.kind] ?? 0) + file.rows;
      const summary = { members: report.members, events: report.events, rows: report.rows, durationsMs: report.durationsMs, rowsByKind, ...(columnsByKind && { columnsByKind }) };
      // Counts and column names; any text that joins the summary is redacted like the report's (src/privacy/).
      db.prepare('UPDATE runs SET finished_at = ?, status = ?, report_path = ?, summary = ? WHERE run_id = ?').run(
        report.finishedAt,
        report.status,
        reportPath ?? null,
        JSON.stringify(redactStrings(summary)),
        report.runId,
      );
    },
    lastRowsByKind() {
      return lastSyncedSummary()?.rowsByKind;
    },
    lastColumnsByKind() {
      return lastSyncedSummary()?.columnsByKind;
    },
    lastSucceededAt() {
      const row = db.prepare(`SELECT max(finished_at) AS at FROM runs WHERE status = 'succeeded'`).get() as { at: string | null };
      return row.at ? new Date(row.at) : undefined;
    },
    recent(limit) {
      const rows = db.prepare('SELECT * FROM runs ORDER BY started_at DESC, run_id DESC LIMIT ?').all(limit) as {
        run_id: string;
        started_at: string;
        finished_at: string | null;
        status: RunRecord['status'];
        report_path: string | null;
        summary: string | null;
      }[];
      return rows.map((row) => ({
        runId: row.run_id,
        startedAt: row.started_at,
        status: row.status,
        ...(row.finished_at && { finishedAt: row.finished_at }),
        ...(row.report_path && { reportPath: row.report_path }),
        ...(row.summary && { summary: JSON.parse(row.summary) }),
      }));
    },
  };
}
