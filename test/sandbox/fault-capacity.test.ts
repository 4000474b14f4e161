// The capacity fault: a service that works on at most `capacity` requests at once. Beyond that, requests
// wait for a free place, so their latency grows with the number in flight and the throughput does not.
import { describe, expect, it } from 'vitest';
import { registered } from './fixtures/loyalty-events.ts';
import { openSandbox } from './fixtures/sandbox-client.ts';

// Only lower bounds on elapsed time: a busy shared machine can make anything slower, never faster.
async function timedAll(send: () => Promise<{ status: number }>, count: number): Promise<{ status: number; ms: number }[]> {
  const started = performance.now();
  return Promise.all(Array.from({ length: count }, async () => ({ status: (await send()).status, ms: performance.now() - started })));
}

describe('capacity fault', () => {
  it('serves at most `capacity` requests at once: the ones beyond wait a whole latency more', async () => {
    const { client, sandbox } = await openSandbox({ faults: { latencyMs: 300, capacity: 2 } });
    await client.accessToken();
    let n = 0;
    const answers = await timedAll(() => client.sendEvent(registered(`c-${++n}`)), 4);

    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200]);
    const [fastest, , third, slowest] = answers.map((answer) => answer.ms).sort((a, b) => a - b);
    expect(fastest).toBeGreaterThanOrEqual(290);
    // Two places, 300 ms each: the last two answers needed a second round.
    expect(third).toBeGreaterThanOrEqual(590);
    expect(slowest).toBeGreaterThanOrEqual(590);
    expect(sandbox.stats()).toMatchObject({ accepted: 4, queued: 2, delayed: 4 });
  });

  it('can be set, changed and switched off at runtime through POST /_sandbox/faults', async () => {
    const { client, sandbox } = await openSandbox({ faults: { latencyMs: 200 } });
    await client.accessToken();
    let n = 0;
    const send = () => client.sendEvent(registered(`c-${++n}`));

    await timedAll(send, 3);
    expect(sandbox.stats().queued).toBe(0);

    const set = await client.post('/_sandbox/faults', { capacity: 1 });
    expect(set.body).toMatchObject({ capacity: 1, latencyMs: 200 });
    const oneAtATime = await timedAll(send, 3);
    expect(Math.max(...oneAtATime.map((answer) => answer.ms))).toBeGreaterThanOrEqual(590);
    expect(sandbox.stats().queued).toBe(2);

    await client.post('/_sandbox/faults', { capacity: null });
    expect((await client.get('/_sandbox/faults')).body.capacity).toBeNull();
    await timedAll(send, 3);
    expect(sandbox.stats()).toMatchObject({ queued: 2, accepted: 9 });
  });

  it('refuses a capacity that is not a whole number of at least 1', async () => {
    const { client } = await openSandbox();
    for (const capacity of [0, 1.5, -3, 'many']) {
      const reply = await client.post('/_sandbox/faults', { capacity });
      expect(reply.status, String(capacity)).toBe(400);
      expect(reply.body.extraDetails).toEqual([{ field: 'capacity', message: expect.any(String) }]);
    }
  });
});
