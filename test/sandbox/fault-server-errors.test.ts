import { describe, expect, it } from 'vitest';
import { registered } from './fixtures/loyalty-events.ts';
import { openSandbox } from './fixtures/sandbox-client.ts';

describe('server error fault (errorRate)', () => {
  it('answers 500/502/503 problems without applying the event when errorRate is 1', async () => {
    const { client, sandbox } = await openSandbox({ faults: { errorRate: 1, seed: 3 } });
    const replies = [];
    for (let n = 0; n < 12; n += 1) replies.push(await client.sendEvent(registered(`c-${n}`)));

    for (const reply of replies) {
      expect([500, 502, 503]).toContain(reply.status);
      expect(reply.contentType).toMatch(/problem\+json/);
      expect(reply.body).toMatchObject({ status: reply.status, detail: expect.stringMatching(/not applied/) });
    }
    expect(new Set(replies.map((reply) => reply.status)).size).toBeGreaterThan(1);
    expect(sandbox.members()).toEqual([]);
    expect(sandbox.events()).toEqual([]);
    expect(sandbox.stats()).toMatchObject({ serverErrors: 12, accepted: 0 });
  });

  it('accepts a retry of the failed event once the fault is gone (nothing was remembered for dedup)', async () => {
    const { client, sandbox } = await openSandbox({ faults: { errorRate: 1 } });
    const event = registered('c-1');
    expect((await client.sendEvent(event)).status).toBeGreaterThanOrEqual(500);
    sandbox.setFaults({ errorRate: 0 });
    const retry = await client.sendEvent(event);
    expect(retry.status).toBe(200);
    expect(sandbox.stats()).toMatchObject({ accepted: 1, duplicates: 0 });
  });

  it('fails roughly the configured share of requests', async () => {
    const { client, sandbox } = await openSandbox({ faults: { errorRate: 0.3, seed: 11 } });
    const statuses = await client.sendAll(Array.from({ length: 200 }, (_, n) => registered(`c-${n}`)));
    const failed = statuses.filter((status) => status >= 500).length;
    expect(failed).toBeGreaterThan(30);
    expect(failed).toBeLessThan(90);
    expect(sandbox.stats().accepted).toBe(200 - failed);
  });

  it('still answers 400 for an invalid event rather than a 5xx', async () => {
    const { client } = await openSandbox({ faults: { errorRate: 1 } });
    const reply = await client.sendEvent({ ...registered('c-1'), timestamp: 'bad' });
    expect(reply.status).toBe(400);
  });
});
