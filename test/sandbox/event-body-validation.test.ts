import { describe, expect, it } from 'vitest';
import { ACTIONS } from '../../src/base/actions.ts';
import { bonusCheck, coupon, identity, member, registered, stampCard } from './fixtures/loyalty-events.ts';
import { openSandbox, type Reply } from './fixtures/sandbox-client.ts';

function fieldsOf(reply: Reply): string[] {
  return reply.body.extraDetails.map((issue: { field: string }) => issue.field);
}

/** For every action: an invalid payload and the fields the answer must name. */
const INVALID_PAYLOADS: Record<(typeof ACTIONS)[number], { payload: unknown; fields: string[] }> = {
  'benefits.member.registered': {
    payload: { ...member('c-1'), phoneNumber: '12345678', joinedOn: 'yesterday' },
    fields: ['payload.phoneNumber', 'payload.joinedOn'],
  },
  'benefits.member.updated': {
    payload: { ...member('c-1'), bonusPoints: { balance: 1.5 }, communicationPreferences: { acceptsSms: 'yes' } },
    fields: ['payload.bonusPoints.balance', 'payload.communicationPreferences.acceptsSms'],
  },
  'benefits.member.deleted': { payload: { contactId: '' }, fields: ['payload.contactId', 'payload.phoneNumber'] },
  'benefits.coupon.updated': {
    payload: { ...identity('c-1'), coupon: { ...coupon('k1'), title: '', discount: { type: 'percentage', value: 150 } } },
    fields: ['payload.coupon.title', 'payload.coupon.discount.value'],
  },
  'benefits.coupon.deleted': { payload: { ...identity('c-1') }, fields: ['payload.couponId'] },
  'benefits.coupons.synced': {
    payload: { ...identity('c-1'), coupons: [coupon('k1'), { couponId: 'k2', imageUrl: 'not a url' }] },
    fields: ['payload.coupons.1.title', 'payload.coupons.1.imageUrl'],
  },
  'benefits.stampCard.updated': {
    payload: { ...identity('c-1'), stampCard: { ...stampCard('s1'), stampsRequired: 0, stampsCollected: -1 } },
    fields: ['payload.stampCard.stampsRequired', 'payload.stampCard.stampsCollected'],
  },
  'benefits.stampCard.deleted': { payload: { ...identity('c-1'), stampCardId: 7 }, fields: ['payload.stampCardId'] },
  'benefits.stampCards.synced': { payload: { ...identity('c-1'), stampCards: 'none' }, fields: ['payload.stampCards'] },
  'benefits.bonusCheck.created': {
    payload: { ...identity('c-1'), bonusCheck: { ...bonusCheck('b1'), amount: { currency: 'nok', value: 12.5 } } },
    fields: ['payload.bonusCheck.amount.currency', 'payload.bonusCheck.amount.value'],
  },
  'benefits.bonusCheck.deleted': { payload: { ...identity('c-1'), bonusCheckId: 'b1', extra: true }, fields: ['payload'] },
};

describe('event bodies are validated with the project schemas', () => {
  it.each(ACTIONS)('answers a 400 problem naming every invalid field of a %s payload', async (action) => {
    const { client, sandbox } = await openSandbox();
    const { payload, fields } = INVALID_PAYLOADS[action];
    const reply = await client.sendEvent({ eventId: `evt-${action}`, timestamp: '2026-03-01T10:00:00Z', action, payload });

    expect(reply.status).toBe(400);
    expect(reply.contentType).toMatch(/^application\/problem\+json/);
    expect(reply.body).toMatchObject({ type: expect.any(String), title: expect.any(String), status: 400, traceId: expect.any(String) });
    expect([...new Set(fieldsOf(reply))].sort()).toEqual([...fields].sort());
    for (const field of fields) expect(reply.body.detail).toContain(field);
    expect(sandbox.stats().accepted).toBe(0);
    expect(sandbox.events()).toEqual([]);
  });

  it('names envelope and payload fields together in one answer', async () => {
    const { client } = await openSandbox();
    const reply = await client.sendEvent({ eventId: '', timestamp: 'now', action: 'benefits.member.registered', payload: { contactId: 'c-1' } });
    expect(reply.status).toBe(400);
    expect(fieldsOf(reply).sort()).toEqual(['eventId', 'payload.phoneNumber', 'timestamp']);
  });

  it('refuses an unknown action, naming it', async () => {
    const { client } = await openSandbox();
    const reply = await client.sendEvent({ ...registered('c-1'), action: 'benefits.member.created' });
    expect(reply.status).toBe(400);
    expect(fieldsOf(reply)).toEqual(['action']);
  });

  it('refuses a body that is not JSON', async () => {
    const { client } = await openSandbox();
    const reply = await client.sendEvent(undefined, { raw: '{"eventId": "evt-1",' });
    expect(reply.status).toBe(400);
    expect(reply.body.detail).toMatch(/not valid JSON/);
  });

  it.each([
    ['missing', undefined],
    ['text/plain', 'text/plain'],
  ])('refuses a Content-Type that is %s', async (_case, contentType) => {
    const { client, sandbox } = await openSandbox();
    const reply = await client.sendEvent(registered('c-1'), { headers: { 'Content-Type': contentType } });
    expect(reply.status).toBe(400);
    expect(fieldsOf(reply)).toEqual(['Content-Type']);
    expect(sandbox.members()).toEqual([]);
  });

  it('accepts a Content-Type with a charset parameter', async () => {
    const { client } = await openSandbox();
    const reply = await client.sendEvent(registered('c-1'), { headers: { 'Content-Type': 'application/json; charset=utf-8' } });
    expect(reply.status).toBe(200);
  });

  it('refuses a body over 1 MiB with 413', async () => {
    const { client } = await openSandbox();
    const reply = await client.sendEvent(undefined, { raw: JSON.stringify({ ...registered('c-1'), padding: 'x'.repeat(1 << 20) }) });
    expect(reply.status).toBe(413);
  });
});
