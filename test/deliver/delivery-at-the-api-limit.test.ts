// Delivery against an API at its limit, the real CLI against the sandbox over loopback: auto mode backs
// off on 429s and grows back, fixed mode keeps its number, --max-rate keeps under the merchant's quota;
// in every case nothing is lost and nothing is applied twice.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunReport } from '../../src/base/report-schema.ts';
import { generateExportPair } from '../../src/bench/generate-export.ts';
import type { Sandbox } from '../../src/sandbox/server.ts';
import { CREDENTIALS_ENV, runCli } from '../fixtures/cli.ts';
import { SAMPLES, sandboxForTest } from '../fixtures/sync.ts';
import { tempDir } from '../fixtures/temp.ts';

const NIGHT_1 = { source: join(SAMPLES, 'night-1'), events: 149 };

async function send(sandbox: Sandbox, flags: string[], night = NIGHT_1): Promise<{ code: number | null; report: RunReport; limitChanges: { from: number; to: number; reason: string }[] }> {
  const dir = tempDir();
  const args = ['run', '--source', night.source, '--state', join(dir, 'state.sqlite'), '--report-dir', join(dir, 'reports'), '--api-url', sandbox.url, '--log-level', 'debug', ...flags];
  const result = await runCli(args, CREDENTIALS_ENV);
  const report = JSON.parse(readFileSync(join(dir, 'reports', 'latest.json'), 'utf8')) as RunReport;
  // Off a terminal the log lines are pino's JSON.
  const limitChanges = result.stderr
    .split('\n')
    .filter((line) => line.includes('"concurrency limit changed"'))
    .map((line) => JSON.parse(line) as { from: number; to: number; reason: string });
  return { code: result.code, report, limitChanges };
}

function expectDeliveredOnce(sandbox: Sandbox, report: RunReport, events = NIGHT_1.events) {
  expect(report).toMatchObject({ status: 'succeeded', events: { accepted: events, failed: 0 } });
  const stats = sandbox.stats();
  expect(stats).toMatchObject({ accepted: events, duplicates: 0, anomalies: [] });
  // The job saw every 429 the sandbox answered: the report counts them like the sandbox does.
  expect(report.delivery.byStatus['429'] ?? 0).toBe(stats.rateLimited);
}

describe('delivery at the API limit', () => {
  it('--concurrency auto (the default) cuts the limit on 429s and grows it back, and delivers everything once', async () => {
    // ~870 events against 100 requests/s at 30 ms: 3 in flight is what the quota allows, and the run
    // lasts long enough for the limit to be cut, grow back and be cut again.
    const out = tempDir();
    const manifest = generateExportPair({ out, members: 300, seed: 5, changeRate: 0 });
    const night = { source: join(out, 'night-1'), events: manifest.nights['night-1'].expectedEvents };
    const sandbox = await sandboxForTest({ faults: { latencyMs: 30, rateLimit: { requestsPerSecond: 100, retryAfterSeconds: 1 } } });
    const { code, report, limitChanges } = await send(sandbox, [], night);
    expect(code).toBe(0);
    expectDeliveredOnce(sandbox, report, night.events);
    expect(sandbox.stats().rateLimited).toBeGreaterThan(0);

    // Cut on a 429, then grown back while the answers were 2xx at the latency floor.
    const firstCut = limitChanges.findIndex((change) => change.reason === 'rate limited (429)');
    expect(firstCut, JSON.stringify(limitChanges)).toBeGreaterThanOrEqual(0);
    expect(limitChanges[firstCut]!.to).toBeLessThan(limitChanges[firstCut]!.from);
    const grewBack = limitChanges.slice(firstCut + 1).find((change) => change.reason === 'no queue');
    expect(grewBack, JSON.stringify(limitChanges)).toBeDefined();
    expect(grewBack!.to).toBe(grewBack!.from + 1);
    // The report's timeline has the limit and the 429s for the chart.
    expect(report.delivery.timeline.some((slice) => (slice.rateLimited ?? 0) > 0)).toBe(true);
    expect(report.delivery.timeline.filter((slice) => slice.accepted + slice.failed > 0).every((slice) => slice.limit !== undefined && slice.limit >= 1)).toBe(true);
  });

  it('--concurrency N keeps N members in parallel through the same 429s', async () => {
    const sandbox = await sandboxForTest({ faults: { latencyMs: 10, rateLimit: { requestsPerSecond: 40, retryAfterSeconds: 1 } } });
    const { report, limitChanges } = await send(sandbox, ['--concurrency', '3']);
    expectDeliveredOnce(sandbox, report);
    expect(limitChanges).toEqual([]);
    const used = report.delivery.timeline.filter((slice) => slice.accepted + slice.failed > 0);
    expect(used.map((slice) => slice.limit)).toEqual(used.map(() => 3));
  });

  it.each([['auto'], ['16']])('--max-rate at the quota: no 429, with --concurrency %s', async (concurrency) => {
    const sandbox = await sandboxForTest({ faults: { latencyMs: 5, rateLimit: { requestsPerSecond: 50, retryAfterSeconds: 1 } } });
    const { report } = await send(sandbox, ['--concurrency', concurrency, '--max-rate', '50']);
    expectDeliveredOnce(sandbox, report);
    expect(sandbox.stats().rateLimited).toBe(0);
    // 149 requests at 50 a second after a burst of 5 take at least (149 − 5) / 50 s: a lower bound only.
    expect(report.durationsMs.deliver).toBeGreaterThanOrEqual(((NIGHT_1.events - 5) / 50) * 1000 - 50);
  });
});
