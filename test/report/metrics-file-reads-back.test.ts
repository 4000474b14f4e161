// metrics.prom: valid Prometheus text format that reads back to the report's numbers, written so the
// textfile collector never sees half a file.
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIONS } from '../../src/base/actions.ts';
import { METRICS_FILE, renderMetrics } from '../../src/report/metrics.ts';
import { writeReport } from '../../src/report/write-report.ts';
import { RUN_STATUSES, type RunReport } from '../../src/base/report-schema.ts';
import { SAMPLES, sandboxForTest, syncOnce } from '../fixtures/sync.ts';
import { tempDir } from '../fixtures/temp.ts';
import { parsePrometheusText, sampleValue, type ParsedFamily } from './fixtures/prometheus-text.ts';
import { runSituations, type Situations } from './fixtures/report-situations.ts';
import { PLANTED_PHONE, syntheticReport } from './fixtures/synthetic-report.ts';

let situations: Situations;
beforeAll(async () => {
  situations = await runSituations();
});
afterAll(() => situations?.close());

/** Reads the text back and checks every number against the report. */
function expectMetricsOf(report: RunReport, families: Map<string, ParsedFamily>) {
  const value = (name: string, labels: Record<string, string> = {}) => sampleValue(families, `loyalty_sync_${name}`, labels);
  for (const [name, family] of families) {
    expect(name).toMatch(/^loyalty_sync_[a-z_]+$/);
    expect(family.type, name).toBe('gauge');
    expect(family.help, name).not.toBe('');
  }
  expect(value('last_run_timestamp_seconds')).toBe(Date.parse(report.finishedAt) / 1000);
  expect(value('run_duration_seconds')).toBe(report.durationsMs.total / 1000);
  for (const stage of ['drain', 'ingest', 'plan', 'deliver'] as const) expect(value('stage_duration_seconds', { stage })).toBe(report.durationsMs[stage] / 1000);
  for (const status of RUN_STATUSES) expect(value('run_status', { status }), status).toBe(status === report.status ? 1 : 0);
  expect(value('run_exit_code')).toBe(report.exitCode);
  for (const change of ['new', 'changed', 'unchanged', 'deleted', 'failed', 'untouched'] as const) expect(value('members', { change })).toBe(report.members[change]);
  for (const outcome of ['planned', 'accepted', 'failed', 'drained'] as const) expect(value('events', { outcome })).toBe(report.events[outcome]);
  for (const action of ACTIONS) {
    expect(value('action_events', { action, outcome: 'planned' })).toBe(report.events.plannedByAction[action] ?? 0);
    expect(value('action_events', { action, outcome: 'accepted' })).toBe(report.events.byAction[action] ?? 0);
    expect(value('action_events', { action, outcome: 'failed' })).toBe(report.failures.filter((failure) => failure.action === action).length);
  }
  expect(value('rows', { outcome: 'read' })).toBe(report.rows.read);
  expect(value('rows', { outcome: 'rejected' })).toBe(report.rows.rejected);
  for (const file of report.source.files) {
    const ofKind = report.source.files.filter((other) => other.kind === file.kind);
    expect(value('file_rows', { kind: file.kind, outcome: 'read' })).toBe(ofKind.reduce((sum, other) => sum + other.rows, 0));
    expect(value('file_rows', { kind: file.kind, outcome: 'rejected' })).toBe(ofKind.reduce((sum, other) => sum + other.rejected, 0));
  }
  expect(value('warnings')).toBe(report.warnings.length);
  expect(value('retries')).toBe(report.events.retries);
  expect(value('http_requests')).toBe(report.delivery.attempts);
  expect(Object.fromEntries(families.get('loyalty_sync_http_responses')!.samples.map((sample) => [sample.labels.code, sample.value]))).toEqual(report.delivery.byStatus);
  for (const stat of ['p50', 'p95', 'max'] as const) expect(value('http_latency_seconds', { stat })).toBe(report.delivery.latencyMs[stat] / 1000);
}

describe('metrics.prom', () => {
  it('reads back to the numbers of real runs in every situation', () => {
    for (const { report } of [situations.succeeded, situations.dryRun, situations.partial, situations.refused, situations.manyRejects]) {
      const families = parsePrometheusText(renderMetrics(report, { job: 'loyalty-sync' }));
      expectMetricsOf(report, families);
      for (const family of families.values()) for (const sample of family.samples) expect(sample.labels.sync_job).toBe('loyalty-sync');
    }
  });

  it('reads back to the numbers of a long partial run, with a shard label on every series', () => {
    const report = syntheticReport();
    const families = parsePrometheusText(renderMetrics(report, { job: 'club-7' }));
    expectMetricsOf(report, families);
    for (const family of families.values()) for (const sample of family.samples) expect(sample.labels).toMatchObject({ sync_job: 'club-7', shard: '1/4' });
  });

  it('carries the last success: this run when it succeeded, otherwise the one given', () => {
    const succeeded = situations.succeeded.report;
    const own = parsePrometheusText(renderMetrics(succeeded, { job: 'j', lastSuccessAt: new Date('2020-01-01T00:00:00Z') }));
    expect(sampleValue(own, 'loyalty_sync_last_success_timestamp_seconds')).toBe(Date.parse(succeeded.finishedAt) / 1000);

    const partial = situations.partial.report;
    const carried = parsePrometheusText(renderMetrics(partial, { job: 'j', lastSuccessAt: new Date(succeeded.finishedAt) }));
    expect(sampleValue(carried, 'loyalty_sync_last_success_timestamp_seconds')).toBe(Date.parse(succeeded.finishedAt) / 1000);

    // Never succeeded: the series is absent (alert on absent()), its HELP and TYPE still say what it is.
    const never = parsePrometheusText(renderMetrics(partial, { job: 'j' }));
    expect(never.get('loyalty_sync_last_success_timestamp_seconds')).toMatchObject({ type: 'gauge', samples: [] });
  });

  it('keeps the last success time after 35 runs that did not succeed, and through a run without its state file', async () => {
    const sandbox = await sandboxForTest();
    const dir = tempDir();
    const lastSuccess = () => sampleValue(parsePrometheusText(readFileSync(join(dir, 'reports', METRICS_FILE), 'utf8')), 'loyalty_sync_last_success_timestamp_seconds', {});
    const first = await syncOnce({ source: join(SAMPLES, 'night-1') }, dir, sandbox.url);
    expect(first.report.status).toBe('succeeded');
    const succeededAt = Date.parse(first.report.finishedAt) / 1000;
    for (let night = 0; night < 35; night++) expect((await syncOnce({ source: join(SAMPLES, 'night-2'), 'dry-run': true }, dir, sandbox.url)).report.status).toBe('dry-run');
    expect(lastSuccess()).toBe(succeededAt);
    // A state file that cannot be opened (here: a folder in its place): the run never asks the runs table.
    mkdirSync(join(dir, 'not-a-file.sqlite'));
    const broken = await syncOnce({ source: join(SAMPLES, 'night-2'), state: join(dir, 'not-a-file.sqlite') }, dir, sandbox.url);
    expect(broken.report.status).toBe('failed');
    expect(lastSuccess()).toBe(succeededAt);
  });

  it('escapes label values: quotes, backslashes and line feeds read back as they were', () => {
    const job = 'club "nord"\\sør\nline two';
    const report = syntheticReport({ delivery: { ...syntheticReport().delivery, byStatus: { '200': 5, 'weird "code"\\': 1 } } });
    const text = renderMetrics(report, { job });
    expect(text.split('\n').filter((line) => line.startsWith('loyalty_sync_run_exit_code'))).toEqual([`loyalty_sync_run_exit_code{sync_job="club \\"nord\\"\\\\sør\\nline two",shard="1/4"} 3`]);
    const families = parsePrometheusText(text);
    expect(families.get('loyalty_sync_run_exit_code')!.samples[0]!.labels.sync_job).toBe(job);
    expect(sampleValue(families, 'loyalty_sync_http_responses', { code: 'weird "code"\\' })).toBe(1);
  });

  it('holds no full phone number, even in a label value', () => {
    const report = syntheticReport({ delivery: { ...syntheticReport().delivery, byStatus: { [PLANTED_PHONE]: 1 } } });
    const text = renderMetrics(report, { job: `job ${PLANTED_PHONE}` });
    expect(text.includes(PLANTED_PHONE)).toBe(false);
    expect(text).toContain('+47******67');
  });

  it('is written whole beside report.html and for the textfile collector, leaving no temporary file behind', () => {
    const dir = tempDir();
    const context = { history: [], timeZone: 'Europe/Oslo', metricsJob: 'loyalty-sync' };
    const first = writeReport(dir, situations.partial.report, context);
    expect(readFileSync(join(dir, situations.partial.report.runId, METRICS_FILE), 'utf8')).toBe(first.metrics);
    writeReport(dir, situations.succeeded.report, context);
    const collected = join(dir, METRICS_FILE);
    expect(readdirSync(dir).filter((name) => name.includes('.tmp'))).toEqual([]);
    expect(sampleValue(parsePrometheusText(readFileSync(collected, 'utf8')), 'loyalty_sync_run_status', { status: 'succeeded' })).toBe(1);
  });
});
