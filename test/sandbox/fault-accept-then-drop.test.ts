import { describe, expect, it } from 'vitest';
import { registered } from './fixtures/loyalty-events.ts';
import { openSandbox } from './fixtures/sandbox-client.ts';

describe('accept-then-drop fault (acceptThenDropRate)', () => {
  it('applies and records the event, then drops the connection; the re-send is answered 200 as a duplicate', async () => {
    const { client, sandbox } = await openSandbox();
    await client.accessToken();
    sandbox.setFaults({ acceptThenDropRate: 1 });
    const event = registered('c-1', { tier: 'gold' });

    await expect(client.sendEvent(event)).rejects.toThrow(/socket|closed|reset|ECONNRESET/i);

    expect(sandbox.member('c-1')?.member.tier).toBe('gold');
    expect(sandbox.events().map((recorded) => recorded.eventId)).toEqual([event.eventId]);
    expect(sandbox.stats()).toMatchObject({ accepted: 1, drops: 1, byStatus: {} });

    sandbox.setFaults({ acceptThenDropRate: 0 });
    const resend = await client.sendEvent(event);
    expect(resend.status).toBe(200);
    expect(resend.body).toEqual({ status: 'accepted', eventId: event.eventId });
    expect(sandbox.stats()).toMatchObject({ accepted: 1, duplicates: 1, drops: 1 });
    expect(sandbox.events()).toHaveLength(1);
  });

  it('answers refused events normally (only accepted answers are dropped)', async () => {
    const { client } = await openSandbox({ faults: { acceptThenDropRate: 1 } });
    const reply = await client.sendEvent({ ...registered('c-1'), eventId: '' });
    expect(reply.status).toBe(400);
  });
});
