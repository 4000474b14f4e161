import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StateError } from '../../src/errors.ts';
import { startSandbox } from '../../src/sandbox/server.ts';
import { coupon, identity, loyaltyEvent, registered } from './fixtures/loyalty-events.ts';
import { openSandbox } from './fixtures/sandbox-client.ts';

let dir: string;
let stateFile: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sandbox-state-'));
  stateFile = join(dir, 'events.jsonl');
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('file-backed state (stateFile)', () => {
  it('restores members, events, anomalies and dedup memory after close and restart', async () => {
    const first = await openSandbox({ stateFile });
    const joined = registered('c-1', { tier: 'gold' });
    const grant = loyaltyEvent('benefits.coupon.updated', { ...identity('c-1'), coupon: coupon('k1') });
    const orphan = loyaltyEvent('benefits.member.updated', identity('c-9'));
    for (const event of [joined, grant, orphan]) expect((await first.client.sendEvent(event)).status).toBe(200);
    const membersBefore = first.sandbox.members({ includeDeleted: true });
    const eventsBefore = first.sandbox.events();
    await first.sandbox.close();

    const second = await openSandbox({ stateFile });
    expect(second.sandbox.members({ includeDeleted: true })).toEqual(membersBefore);
    expect(second.sandbox.events()).toEqual(eventsBefore);
    expect(second.sandbox.stats()).toMatchObject({
      accepted: 3,
      requests: 0,
      anomalies: [expect.objectContaining({ eventId: orphan.eventId, reason: 'member-not-registered' })],
    });

    expect((await second.client.sendEvent(grant)).status).toBe(200);
    expect(second.sandbox.stats().duplicates).toBe(1);
    expect((await second.client.sendEvent({ ...grant, timestamp: '2030-01-01T00:00:00Z' })).status).toBe(409);
  });

  it('writes each accepted event as one JSON line after a format header, and nothing for refused ones', async () => {
    const { client } = await openSandbox({ stateFile });
    const event = registered('c-1');
    await client.sendEvent(event);
    await client.sendEvent(event); // duplicate
    await client.sendEvent({ ...event, eventId: '' }); // invalid

    const lines = readFileSync(stateFile, 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line));
    expect(lines).toEqual([{ format: 'loyalty-sync-sandbox-events', version: 1 }, { receivedAt: expect.any(String), merchantSerialNumber: '123456', event }]);
  });

  it('empties the file on reset, so a restart starts empty', async () => {
    const first = await openSandbox({ stateFile });
    await first.client.sendEvent(registered('c-1'));
    await first.client.post('/_sandbox/reset');
    await first.client.sendEvent(registered('c-2'));
    await first.sandbox.close();

    const second = await openSandbox({ stateFile });
    expect(second.sandbox.members().map((state) => state.contactId)).toEqual(['c-2']);
  });

  it('drops a torn last line left by a killed write and keeps appending after the good lines', async () => {
    const first = await openSandbox({ stateFile });
    await first.client.sendEvent(registered('c-1'));
    await first.sandbox.close();
    appendFileSync(stateFile, '{"receivedAt":"2026-03-01T00:00:00Z","event":{"eventId":"evt-to');

    const second = await openSandbox({ stateFile });
    expect(second.sandbox.members().map((state) => state.contactId)).toEqual(['c-1']);
    await second.client.sendEvent(registered('c-2'));
    await second.sandbox.close();

    const third = await openSandbox({ stateFile });
    expect(third.sandbox.members().map((state) => state.contactId)).toEqual(['c-1', 'c-2']);
  });

  it('refuses to start on a file that is not a sandbox state file, and leaves it untouched', async () => {
    writeFileSync(stateFile, 'contactId;phone\n1;+4712345678\n');
    const start = startSandbox({ stateFile });
    await expect(start).rejects.toBeInstanceOf(StateError);
    await expect(start).rejects.toMatchObject({ code: 'STATE_CORRUPT' });
    expect(readFileSync(stateFile, 'utf8')).toBe('contactId;phone\n1;+4712345678\n');
  });

  it('refuses to start on a corrupt line in the middle, naming file and line', async () => {
    const first = await openSandbox({ stateFile });
    await first.client.sendEvent(registered('c-1'));
    await first.sandbox.close();
    appendFileSync(stateFile, 'garbage\n{"receivedAt":"2026-03-01T00:00:00Z","event":{}}\n');

    await expect(startSandbox({ stateFile })).rejects.toThrow(`${stateFile}:3`);
  });

  it('refuses a logged event that no longer passes validation', async () => {
    writeFileSync(stateFile, `{"format":"loyalty-sync-sandbox-events","version":1}\n{"receivedAt":"2026-03-01T00:00:00Z","event":{"eventId":"e"}}\n`);
    await expect(startSandbox({ stateFile })).rejects.toMatchObject({ code: 'STATE_CORRUPT', message: expect.stringContaining(':2:') });
  });
});
