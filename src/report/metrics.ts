// metrics.prom: the run in the Prometheus text exposition format (version 0.0.4), for node_exporter's
// textfile collector or a Pushgateway. Every value is a gauge holding this run's number: a batch job's
// counters restart with each run, so there is nothing to rate() over.
//
// No `job` label in the text: Prometheus (and the Pushgateway's grouping key) set that one; the job's
// name goes in `sync_job` so several loyalty-sync jobs on one host do not collide.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ACTIONS } from '../base/actions.ts';
import { redactText } from '../privacy/redact.ts';
import { failuresByAction } from './summary-line.ts';
import { exitCodesText } from '../base/exit-codes.ts';
import { RUN_STATUSES, type RunReport } from '../base/report-schema.ts';

export interface MetricsOptions {
  /** The job's name, as the `sync_job` label (and the Pushgateway job). */
  job: string;
  /** The last run that succeeded before this one (this run counts itself when it succeeded). */
  lastSuccessAt?: Date;
}

export const METRICS_FILE = 'metrics.prom';

export interface Sample {
  labels?: Record<string, string>;
  value: number;
}
export interface Family {
  name: string;
  help: string;
  samples: Sample[];
}

const MEMBER_CHANGES = ['new', 'changed', 'unchanged', 'deleted', 'failed', 'untouched'] as const;
const STAGES = ['drain', 'ingest', 'plan', 'deliver'] as const;

export function renderMetrics(report: RunReport, options: MetricsOptions): string {
  return renderFamilies(runMetricFamilies(report, options), { sync_job: options.job, ...(report.options.shard && { shard: report.options.shard }) });
}

const seconds = (ms: number) => ms / 1000;

/** The families of one run's metrics (a fleet puts every merchant's together, each with its `merchant` label). */
export function runMetricFamilies(report: RunReport, options: Omit<MetricsOptions, 'job'>): Family[] {
  const finishedAt = Date.parse(report.finishedAt);
  const lastSuccess = report.status === 'succeeded' ? finishedAt : options.lastSuccessAt?.getTime();
  const failedByAction = failuresByAction(report);
  const planned = report.events.plannedByAction as Record<string, number>;
  const accepted = report.events.byAction as Record<string, number>;
  const rowsByKind = new Map<string, { read: number; rejected: number }>();
  for (const file of report.source.files) {
    const entry = rowsByKind.get(file.kind) ?? { read: 0, rejected: 0 };
    rowsByKind.set(file.kind, { read: entry.read + file.rows, rejected: entry.rejected + file.rejected });
  }

  const families: Family[] = [
    {
      name: 'loyalty_sync_last_success_timestamp_seconds',
      help: 'When the last run that succeeded finished (Unix time); absent until one has.',
      samples: lastSuccess === undefined || Number.isNaN(lastSuccess) ? [] : [{ value: seconds(lastSuccess) }],
    },
    { name: 'loyalty_sync_last_run_timestamp_seconds', help: 'When the last run finished, whatever its status (Unix time).', samples: [{ value: seconds(finishedAt) }] },
    { name: 'loyalty_sync_run_duration_seconds', help: 'How long the last run took.', samples: [{ value: seconds(report.durationsMs.total) }] },
    {
      name: 'loyalty_sync_stage_duration_seconds',
      help: 'How long each stage of the last run took.',
      samples: STAGES.map((stage) => ({ labels: { stage }, value: seconds(report.durationsMs[stage]) })),
    },
    {
      name: 'loyalty_sync_run_status',
      help: 'The last run status: 1 for the status it had, 0 for the others.',
      samples: RUN_STATUSES.map((status) => ({ labels: { status }, value: status === report.status ? 1 : 0 })),
    },
    { name: 'loyalty_sync_run_exit_code', help: `The exit code of the last run: ${exitCodesText(', ')}.`, samples: [{ value: report.exitCode }] },
    {
      name: 'loyalty_sync_members',
      help: 'Members in the last run by change (untouched: left as they were because a row was rejected).',
      samples: MEMBER_CHANGES.map((change) => ({ labels: { change }, value: report.members[change] })),
    },
    {
      name: 'loyalty_sync_events',
      help: 'Events in the last run: planned, accepted, failed (not accepted), drained (left by an earlier run and delivered first).',
      samples: (['planned', 'accepted', 'failed', 'drained'] as const).map((outcome) => ({ labels: { outcome }, value: report.events[outcome] })),
    },
    {
      name: 'loyalty_sync_action_events',
      help: 'Events in the last run by action and outcome; failed counts the listed members whose delivery stopped at that action.',
      samples: ACTIONS.flatMap((action) => [
        { labels: { action, outcome: 'planned' }, value: planned[action] ?? 0 },
        { labels: { action, outcome: 'accepted' }, value: accepted[action] ?? 0 },
        { labels: { action, outcome: 'failed' }, value: failedByAction.get(action) ?? 0 },
      ]),
    },
    {
      name: 'loyalty_sync_rows',
      help: 'CSV data rows in the last run: read, and rejected (see rejects.csv).',
      samples: [
        { labels: { outcome: 'read' }, value: report.rows.read },
        { labels: { outcome: 'rejected' }, value: report.rows.rejected },
      ],
    },
    {
      name: 'loyalty_sync_file_rows',
      help: 'CSV data rows in the last run by file kind: read, and rejected while reading.',
      samples: [...rowsByKind].flatMap(([kind, rows]) => [
        { labels: { kind, outcome: 'read' }, value: rows.read },
        { labels: { kind, outcome: 'rejected' }, value: rows.rejected },
      ]),
    },
    { name: 'loyalty_sync_warnings', help: 'Warnings in the last run report.', samples: [{ value: report.warnings.length }] },
    { name: 'loyalty_sync_retries', help: 'Requests in the last run that repeated an earlier attempt.', samples: [{ value: report.events.retries }] },
    { name: 'loyalty_sync_http_requests', help: 'HTTP requests to the Loyalty API in the last run, retries included.', samples: [{ value: report.delivery.attempts }] },
    {
      name: 'loyalty_sync_http_responses',
      help: 'Answers from the Loyalty API in the last run by HTTP status code; "network" for attempts without an answer.',
      samples: Object.entries(report.delivery.byStatus).map(([code, n]) => ({ labels: { code }, value: n })),
    },
    {
      name: 'loyalty_sync_http_latency_seconds',
      help: 'Latency of the requests in the last run: p50, p95 and max.',
      samples: (['p50', 'p95', 'max'] as const).map((stat) => ({ labels: { stat }, value: seconds(report.delivery.latencyMs[stat]) })),
    },
  ];
  return families;
}

/** The text format: each family's HELP and TYPE, then its samples, each with the `common` labels first. */
export function renderFamilies(families: readonly Family[], common: Record<string, string>): string {
  const text = families
    .map((family) =>
      [
        `# HELP ${family.name} ${escapeHelp(family.help)}`,
        `# TYPE ${family.name} gauge`,
        ...family.samples.map((sample) => `${family.name}${labelSet({ ...common, ...sample.labels })} ${formatValue(sample.value)}`),
      ].join('\n'),
    )
    .join('\n');
  return `${text}\n`;
}

/**
 * The last success time the metrics in `reportDir` carried: what a run that never got its state file (so
 * cannot ask it) passes on, so that the metric does not vanish on the night something is wrong.
 */
export function lastSuccessInMetrics(reportDir: string): Date | undefined {
  let text: string;
  try {
    text = readFileSync(join(reportDir, METRICS_FILE), 'utf8');
  } catch {
    return undefined;
  }
  const seconds = /^loyalty_sync_last_success_timestamp_seconds(?:\{[^}]*\})? (\d+(?:\.\d+)?)$/m.exec(text)?.[1];
  return seconds === undefined ? undefined : new Date(Number(seconds) * 1000);
}

// The text format's escaping: label values escape \ " and newline; HELP escapes \ and newline.
const escapeLabelValue = (value: string) => value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const escapeHelp = (text: string) => text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

/** Label values are the only text in the file (a job name, an answer's status key): redacted like any output. */
function labelSet(labels: Record<string, string>): string {
  const pairs = Object.entries(labels).map(([name, value]) => `${name}="${escapeLabelValue(redactText(value))}"`);
  return pairs.length > 0 ? `{${pairs.join(',')}}` : '';
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}
