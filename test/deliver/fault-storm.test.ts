// Delivery against a misbehaving API (real HTTP to the sandbox): nothing lost, nothing applied twice.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SAMPLES, sandboxForTest, syncOnce } from '../fixtures/sync.ts';
import { tempDir } from '../fixtures/temp.ts';

const FAST_RETRIES = { 'max-attempts': '12', 'retry-base-delay-ms': '5', 'retry-max-delay-ms': '50', 'request-timeout-ms': '2000' };

describe('fault storm', () => {
  it('delivers every member through 5xx, 429 with Retry-After and connection resets', async () => {
    const reference = await sandboxForTest();
    await syncOnce({ source: join(SAMPLES, 'night-1') }, tempDir(), reference.url);

    const sandbox = await sandboxForTest({ faults: { errorRate: 0.3, resetRate: 0.1, rateLimit: { requestsPerSecond: 400, retryAfterSeconds: 1 }, seed: 7 } });
    const { report } = await syncOnce({ source: join(SAMPLES, 'night-1'), concurrency: '16', ...FAST_RETRIES }, tempDir(), sandbox.url);
    expect(report).toMatchObject({ status: 'succeeded', events: { accepted: 149, failed: 0 }, members: { failed: 0 } });
    expect(report.events.retries).toBeGreaterThan(20);
    const stats = sandbox.stats();
    expect(stats.serverErrors).toBeGreaterThan(0);
    expect(stats.resets).toBeGreaterThan(0);
    expect(sandbox.members()).toEqual(reference.members().map((member) => ({ ...member, lastEventAt: expect.any(String) })));
    expect(stats.anomalies).toEqual([]);
  });

  it('survives "accept then drop": re-sends are duplicates, applied once', async () => {
    const sandbox = await sandboxForTest({ faults: { acceptThenDropRate: 0.3, seed: 11 } });
    const { report } = await syncOnce({ source: join(SAMPLES, 'night-1'), ...FAST_RETRIES }, tempDir(), sandbox.url);
    expect(report).toMatchObject({ status: 'succeeded', events: { accepted: 149 } });
    const stats = sandbox.stats();
    expect(stats.drops).toBeGreaterThan(10);
    expect(stats.duplicates).toBe(stats.drops);
    expect(stats.accepted).toBe(149);
    expect(new Set(sandbox.events().map((event) => event.eventId)).size).toBe(149);
    expect(stats.anomalies).toEqual([]);
  });

  it('reports members it could not deliver with the reason', async () => {
    const sandbox = await sandboxForTest({ faults: { errorRate: 1, seed: 3 } });
    const flags = { 'max-attempts': '2', 'retry-base-delay-ms': '1', 'max-failures-in-a-row': '1000' };
    const { report } = await syncOnce({ source: join(SAMPLES, 'night-1'), ...flags }, tempDir(), sandbox.url);
    expect(report).toMatchObject({ status: 'partial', exitCode: 3, members: { failed: 60 }, events: { accepted: 0, failed: 60 } });
    expect(report.failures[0]).toMatchObject({ code: 'API_RETRIES_EXHAUSTED', detail: expect.stringMatching(/gave up after 2 attempts; last: HTTP 50[023]/) });
  });

  it('starts no request after the run deadline; the rest waits in the outbox and the next run sends it first', async () => {
    const sandbox = await sandboxForTest({ faults: { latencyMs: 50 } });
    const dir = tempDir();
    const { report } = await syncOnce({ source: join(SAMPLES, 'night-1'), concurrency: '2', 'deadline-minutes': '0.01' }, dir, sandbox.url);
    // How much is accepted before the deadline depends on the machine's speed; that the deadline cut the
    // night short, and that the next run finishes it, does not.
    expect(report).toMatchObject({ status: 'partial', exitCode: 3, failures: [], members: { failed: 0 } });
    expect(report.events.accepted).toBeLessThan(149);
    // Members not reached are not failures: they wait, with every event not yet accepted.
    expect(report.waiting).toMatchObject({ members: expect.any(Number), events: 149 - report.events.accepted });
    expect(report.waiting!.members).toBeGreaterThan(0);
    expect(report.warnings.join('\n')).toContain(`deadline (--deadline-minutes 0.01) was reached: ${report.waiting!.members} members with ${report.waiting!.events} events wait`);
    sandbox.setFaults({ latencyMs: 0 });
    const next = await syncOnce({ source: join(SAMPLES, 'night-1') }, dir, sandbox.url);
    expect(next.report).toMatchObject({ status: 'succeeded', events: { drained: 149 - report.events.accepted, planned: 0 } });
    expect(next.report.waiting).toBeUndefined();
    expect(sandbox.stats()).toMatchObject({ accepted: 149, duplicates: 0, anomalies: [] });
  });
});
