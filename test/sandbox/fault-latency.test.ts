import { describe, expect, it } from 'vitest';
import { registered } from './fixtures/loyalty-events.ts';
import { openSandbox } from './fixtures/sandbox-client.ts';

// Only lower bounds on elapsed time: a busy shared machine can make anything slower, never faster.
describe('latency fault', () => {
  it('holds event requests for latencyMs before answering, and counts them', async () => {
    const { client, sandbox } = await openSandbox();
    await client.accessToken();
    sandbox.setFaults({ latencyMs: 250 });

    const started = performance.now();
    const reply = await client.sendEvent(registered('c-1'));
    const elapsed = performance.now() - started;

    expect(reply.status).toBe(200);
    expect(elapsed).toBeGreaterThanOrEqual(240);
    expect(sandbox.stats().delayed).toBe(1);
  });

  it('adds jitter of at most jitterMs on top of the latency', async () => {
    const { client, sandbox } = await openSandbox();
    await client.accessToken();
    sandbox.setFaults({ latencyMs: 100, jitterMs: 100, seed: 7 });

    const started = performance.now();
    await Promise.all([1, 2, 3].map((n) => client.sendEvent(registered(`c-${n}`))));
    expect(performance.now() - started).toBeGreaterThanOrEqual(95);
    expect(sandbox.stats().delayed).toBe(3);
  });

  it('delays the token endpoint too, without counting it as an event request', async () => {
    const { client, sandbox } = await openSandbox({ faults: { latencyMs: 200 } });
    const started = performance.now();
    const reply = await client.fetchToken();
    expect(reply.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    expect(sandbox.stats()).toMatchObject({ requests: 0, delayed: 0, tokensIssued: 1 });
  });

  it('does not delay anything without the fault', async () => {
    const { client, sandbox } = await openSandbox();
    await client.sendEvent(registered('c-1'));
    expect(sandbox.stats().delayed).toBe(0);
  });
});
