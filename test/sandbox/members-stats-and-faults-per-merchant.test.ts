// A partner's fleet sends for many merchants to one API: the sandbox keeps each merchant serial number's
// club, counters and faults apart (`?msn=`); without one it shows the one club it always kept, whatever
// serial number each event carried.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../fixtures/temp.ts';
import { loyaltyEvent, member } from './fixtures/loyalty-events.ts';
import { openSandbox } from './fixtures/sandbox-client.ts';

const registered = (contactId: string, eventId = `evt-${contactId}`) => loyaltyEvent('benefits.member.registered', member(contactId), { eventId });
const as = (msn: string) => ({ headers: { 'Merchant-Serial-Number': msn } });

describe('sandbox per merchant serial number', () => {
  it('keeps each merchant\'s members and counters apart, and without msn the one club it always kept', async () => {
    const { sandbox, client } = await openSandbox();
    expect((await client.sendEvent(registered('A-1'), as('111111'))).status).toBe(200);
    expect((await client.sendEvent(registered('A-2'), as('111111'))).status).toBe(200);
    expect((await client.sendEvent(registered('B-1'), as('222222'))).status).toBe(200);
    // The same contact id at another merchant is another member.
    expect((await client.sendEvent(registered('A-1', 'evt-b-a1'), as('222222'))).status).toBe(200);

    const ids = async (query: string) => ((await client.get(`/_sandbox/members${query}`)).body.members as { contactId: string }[]).map((entry) => entry.contactId);
    expect(await ids('?msn=111111')).toEqual(['A-1', 'A-2']);
    expect(await ids('?msn=222222')).toEqual(['A-1', 'B-1']);
    expect(await ids('?msn=333333')).toEqual([]);
    expect(await ids('')).toEqual(['A-1', 'A-2', 'B-1']);
    expect((await client.get('/_sandbox/members/B-1?msn=111111')).status).toBe(404);
    expect((await client.get('/_sandbox/members/B-1?msn=222222')).body.contactId).toBe('B-1');

    expect((await client.get('/_sandbox/stats?msn=111111')).body).toMatchObject({ requests: 2, accepted: 2 });
    expect((await client.get('/_sandbox/stats?msn=222222')).body).toMatchObject({ requests: 2, accepted: 2 });
    expect((await client.get('/_sandbox/stats')).body).toMatchObject({ requests: 4, accepted: 4, byAction: { 'benefits.member.registered': 4 } });
    expect((await client.get('/_sandbox/events?msn=222222')).body.events.map((event: { eventId: string }) => event.eventId)).toEqual(['evt-B-1', 'evt-b-a1']);
    // The client's token request named 123456: a merchant that has sent nothing else.
    expect((await client.get('/_sandbox/merchants')).body.merchants).toEqual([
      { merchantSerialNumber: '111111', members: 2, accepted: 2 },
      { merchantSerialNumber: '123456', members: 0, accepted: 0 },
      { merchantSerialNumber: '222222', members: 2, accepted: 2 },
    ]);
    expect(sandbox.members({ merchantSerialNumber: '111111' }).map((entry) => entry.contactId)).toEqual(['A-1', 'A-2']);
  });

  it('deduplicates an event id per merchant: the same request for two merchants is applied to both', async () => {
    const { client } = await openSandbox();
    const event = registered('C-1');
    expect((await client.sendEvent(event, as('111111'))).status).toBe(200);
    expect((await client.sendEvent(event, as('222222'))).status).toBe(200);
    expect((await client.sendEvent(event, as('222222'))).status).toBe(200);
    expect((await client.get('/_sandbox/stats?msn=222222')).body).toMatchObject({ accepted: 1, duplicates: 1 });
    // The sandbox as a whole saw one event, sent three times.
    expect((await client.get('/_sandbox/stats')).body).toMatchObject({ accepted: 1, duplicates: 2 });
    expect((await client.get('/_sandbox/members?msn=111111')).body.members).toHaveLength(1);
  });

  it('gives one merchant its own faults; the others keep the sandbox\'s', async () => {
    const { client } = await openSandbox();
    const patched = await client.post('/_sandbox/faults?msn=222222', { failContactIds: ['D-1'] });
    expect(patched.status).toBe(200);
    expect(patched.body.failContactIds).toEqual(['D-1']);
    expect((await client.get('/_sandbox/faults?msn=222222')).body.failContactIds).toEqual(['D-1']);
    expect((await client.get('/_sandbox/faults')).body.failContactIds).toEqual([]);
    expect((await client.get('/_sandbox/faults?msn=111111')).body.failContactIds).toEqual([]);

    expect((await client.sendEvent(registered('D-1'), as('222222'))).status).toBe(400);
    expect((await client.sendEvent(registered('D-1'), as('111111'))).status).toBe(200);
    expect((await client.get('/_sandbox/stats?msn=222222')).body).toMatchObject({ failedContacts: 1, accepted: 0 });
    expect((await client.get('/_sandbox/stats?msn=111111')).body).toMatchObject({ failedContacts: 0, accepted: 1 });
  });

  it('keeps merchants apart across a restart from its state file', async () => {
    const stateFile = join(tempDir('sandbox-msn-'), 'state.jsonl');
    const first = await openSandbox({ stateFile });
    await first.client.sendEvent(registered('E-1'), as('111111'));
    await first.client.sendEvent(registered('E-2'), as('222222'));
    await first.sandbox.close();
    const second = await openSandbox({ stateFile });
    expect(second.sandbox.members({ merchantSerialNumber: '111111' }).map((entry) => entry.contactId)).toEqual(['E-1']);
    expect(second.sandbox.members({ merchantSerialNumber: '222222' }).map((entry) => entry.contactId)).toEqual(['E-2']);
  });
});
