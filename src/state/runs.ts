import type { DatabaseSync } from 'node:sqlite';
import type { RunReport, RunStatus } from '../report/report-schema.ts';

export interface RunRecord {
  runId: string;
  startedAt: string;
  finishedAt?: string;
  status: RunStatus | 'running';
  reportPath?: string;
  summary?: Pick<RunReport, 'members' | 'events' | 'rows' | 'durationsMs'>;
}

export interface RunsTable {
  start(runId: string, startedAt: string): void;
  finish(report: RunReport, reportPath: string): void;
  /** The newest runs first. */
  recent(limit: number): RunRecord[];
}

export function runsTable(db: DatabaseSync): RunsTable {
  return {
    start(runId, startedAt) {
      db.prepare(`INSERT INTO runs (run_id, started_at, status) VALUES (?, ?, 'running')`).run(runId, startedAt);
    },
    finish(report, reportPath) {
      const summary = { members: report.members, events: report.events, rows: report.rows, durationsMs: report.durationsMs };
      db.prepare('UPDATE runs SET finished_at = ?, status = ?, report_path = ?, summary = ? WHERE run_id = ?').run(
        report.finishedAt,
        report.status,
        reportPath,
        JSON.stringify(summary),
        report.runId,
      );
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
