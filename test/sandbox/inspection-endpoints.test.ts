import { describe, expect, it } from 'vitest';
import { coupon, identity, loyaltyEvent, registered } from './fixtures/loyalty-events.ts';
import { manualClock, openSandbox } from './fixtures/sandbox-client.ts';

describe('inspection endpoints under /_sandbox', () => {
  it('GET /_sandbox/members lists active members sorted by contactId; includeDeleted=true lists all', async () => {
    const { client } = await openSandbox();
    for (const id of ['c-3', 'c-1', 'c-2']) await client.sendEvent(registered(id));
    await client.sendEvent(loyaltyEvent('benefits.member.deleted', identity('c-2')));

    const active = await client.get('/_sandbox/members');
    expect(active.status).toBe(200);
    expect(active.body.members.map((state: { contactId: string }) => state.contactId)).toEqual(['c-1', 'c-3']);

    const all = await client.get('/_sandbox/members?includeDeleted=true');
    expect(all.body.members.map((state: { contactId: string; deleted: boolean }) => [state.contactId, state.deleted])).toEqual([
      ['c-1', false],
      ['c-2', true],
      ['c-3', false],
    ]);
  });

  it('GET /_sandbox/members/:contactId returns the member state (also when deleted) and 404 for an unknown contact', async () => {
    const { client, sandbox } = await openSandbox();
    await client.sendEvent(registered('c/1 ø'));
    await client.sendEvent(loyaltyEvent('benefits.coupon.updated', { ...identity('c/1 ø'), coupon: coupon('k1') }));

    const known = await client.get(`/_sandbox/members/${encodeURIComponent('c/1 ø')}`);
    expect(known.status).toBe(200);
    expect(known.body).toEqual(sandbox.member('c/1 ø'));
    expect(known.body.coupons).toEqual([coupon('k1')]);

    const unknown = await client.get('/_sandbox/members/nobody');
    expect(unknown.status).toBe(404);
    expect(unknown.contentType).toMatch(/problem\+json/);
    expect(unknown.body.detail).toContain('nobody');
  });

  it('GET /_sandbox/events lists accepted events in arrival order, filtered by contactId', async () => {
    const clock = manualClock(Date.parse('2026-03-01T12:00:00Z'));
    const { client } = await openSandbox({ now: clock.now });
    const first = registered('c-1');
    const second = registered('c-2');
    const third = loyaltyEvent('benefits.coupon.updated', { ...identity('c-1'), coupon: coupon('k1') });
    await client.sendEvent(first);
    clock.advance(1000);
    await client.sendEvent(second);
    await client.sendEvent(third);
    await client.sendEvent({ ...first, eventId: '' }); // refused: not recorded

    const all = await client.get('/_sandbox/events');
    expect(all.body.recording).toBe(true);
    expect(all.body.events.map((event: { eventId: string }) => event.eventId)).toEqual([first.eventId, second.eventId, third.eventId]);
    expect(all.body.events[0]).toEqual({
      eventId: first.eventId,
      action: 'benefits.member.registered',
      contactId: 'c-1',
      timestamp: first.timestamp,
      receivedAt: '2026-03-01T12:00:00.000Z',
      payload: first.payload,
    });
    expect(all.body.events[1].receivedAt).toBe('2026-03-01T12:00:01.000Z');

    const forOne = await client.get('/_sandbox/events?contactId=c-1');
    expect(forOne.body.events.map((event: { eventId: string }) => event.eventId)).toEqual([first.eventId, third.eventId]);
  });

  it('GET /_sandbox/stats counts requests, statuses, actions, duplicates and anomalies', async () => {
    const { client } = await openSandbox();
    const event = registered('c-1');
    await client.sendEvent(event);
    await client.sendEvent(event);
    await client.sendEvent(loyaltyEvent('benefits.coupon.deleted', { ...identity('c-1'), couponId: 'k9' }));
    await client.sendEvent({ ...event, eventId: '' });
    await client.sendEvent(registered('c-2'), { headers: { Authorization: 'Bearer nope' } });

    const stats = await client.get('/_sandbox/stats');
    expect(stats.status).toBe(200);
    expect(stats.body).toMatchObject({
      requests: 5,
      accepted: 2,
      duplicates: 1,
      byStatus: { '200': 3, '400': 1, '401': 1 },
      anomalies: [expect.objectContaining({ reason: 'coupon-not-found', action: 'benefits.coupon.deleted' })],
      resets: 0,
      drops: 0,
      tokensIssued: 1,
    });
    expect(stats.body.byAction).toMatchObject({ 'benefits.member.registered': 1, 'benefits.coupon.deleted': 1, 'benefits.member.updated': 0 });
    expect(Object.keys(stats.body.byAction)).toHaveLength(11);
  });

  it('POST /_sandbox/reset clears members, events, dedup memory and counters', async () => {
    const { client, sandbox } = await openSandbox();
    const event = registered('c-1');
    await client.sendEvent(event);
    await client.sendEvent(loyaltyEvent('benefits.member.updated', identity('c-9')));

    const reply = await client.post('/_sandbox/reset');
    expect(reply.status).toBe(200);
    expect(sandbox.members({ includeDeleted: true })).toEqual([]);
    expect(sandbox.events()).toEqual([]);
    expect(sandbox.stats()).toMatchObject({ requests: 0, accepted: 0, anomalies: [], byStatus: {} });

    // Dedup memory is gone too: the same eventId with another body is a new event now, not a 409.
    const reused = await client.sendEvent({ ...event, payload: { ...event.payload, tier: 'gold' } });
    expect(reused.status).toBe(200);
    expect(sandbox.member('c-1')?.member.tier).toBe('gold');
    expect(sandbox.stats().duplicates).toBe(0);
  });

  it('keeps issued tokens valid across a reset', async () => {
    const { client } = await openSandbox();
    await client.accessToken();
    await client.post('/_sandbox/reset');
    expect((await client.sendEvent(registered('c-1'))).status).toBe(200);
  });

  it('GET/POST /_sandbox/faults read and change the faults; an invalid change is a 400 naming the field', async () => {
    const { client, sandbox } = await openSandbox({ faults: { seed: 42 } });
    const initial = await client.get('/_sandbox/faults');
    expect(initial.body).toEqual({
      latencyMs: 0,
      jitterMs: 0,
      errorRate: 0,
      rateLimit: null,
      capacity: null,
      failContactIds: [],
      resetRate: 0,
      acceptThenDropRate: 0,
      nonJsonAcceptRate: 0,
      echoCredentials: false,
      errorBodyBytes: 0,
      tokenLatencyMs: 0,
      tokenFailures: null,
      seed: 42,
    });

    const changed = await client.post('/_sandbox/faults', { errorRate: 0.25, rateLimit: { requestsPerSecond: 50 } });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ errorRate: 0.25, rateLimit: { requestsPerSecond: 50, retryAfterSeconds: 1 }, seed: 42 });
    expect(sandbox.faults()).toEqual(changed.body);

    const invalid = await client.post('/_sandbox/faults', { errorRate: 2, resetRate: -1, bogus: true });
    expect(invalid.status).toBe(400);
    expect(invalid.body.extraDetails.map((issue: { field: string }) => issue.field).sort()).toEqual(['(body)', 'errorRate', 'resetRate']);
    expect(sandbox.faults().errorRate).toBe(0.25);

    const cleared = await client.post('/_sandbox/faults', { rateLimit: null });
    expect(cleared.body.rateLimit).toBeNull();
  });

  it('answers 404 for unknown paths and 405 for a wrong method', async () => {
    const { client } = await openSandbox();
    expect((await client.get('/_sandbox/nothing')).status).toBe(404);
    expect((await client.get('/loyalty/v2/events')).status).toBe(404);
    const wrongMethod = await client.get('/_sandbox/reset');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.allow).toBe('POST');
  });
});
