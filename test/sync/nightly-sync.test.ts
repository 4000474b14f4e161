// The heart of the product, end to end: sample exports → sandbox over loopback → snapshot → report.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { describe, expect, it } from 'vitest';
import { openStateStore } from '../../src/state/store.ts';
import { tempDir } from '../fixtures/temp.ts';
import { SAMPLES, sandboxForTest, syncOnce } from '../fixtures/sync.ts';

type Row = Record<string, string>;
const readCsv = (night: string, file: string): Row[] => {
  const bytes = readFileSync(join(SAMPLES, night, file));
  const text = file === 'coupons.csv' && night === 'night-2' ? iconv.decode(bytes, 'win1252') : bytes.toString('utf8');
  return parse(text, { columns: true, bom: true, delimiter: night === 'night-1' ? ',' : ';', trim: true });
};
const truthy = (word: string) => ['true', 'yes', 'ja', '1'].includes(word.toLowerCase());
const minor = (amount: string) => Math.round(Number(amount.replace(',', '.')) * 100);

describe('nightly sync against the sandbox', () => {
  it('mirrors night-1 into the API field by field', async () => {
    const sandbox = await sandboxForTest();
    const dir = tempDir();
    const { report } = await syncOnce({ source: join(SAMPLES, 'night-1') }, dir, sandbox.url);
    expect(report).toMatchObject({ status: 'succeeded', exitCode: 0, members: { total: 60, new: 60, failed: 0 }, rows: { rejected: 0 } });

    const members = readCsv('night-1', 'members.csv');
    expect(sandbox.members().map((member) => member.contactId)).toEqual(members.map((row) => row.contact_id).sort());
    for (const row of members) {
      const state = sandbox.member(row.contact_id!)!;
      expect(state.member.phoneNumber).toBe(parsePhoneNumberFromString(row.phone_number!, 'NO')!.number);
      expect(state.member.bonusPoints).toEqual({ balance: Number(row.bonus_points) });
      expect(state.member.tier).toBe(row.tier);
      expect(state.member.communicationPreferences).toEqual({
        acceptsEmail: truthy(row.accepts_email!),
        acceptsSms: truthy(row.accepts_sms!),
        acceptsPostal: truthy(row.accepts_postal!),
      });
      // A bare date is midnight in Oslo; a date-time is taken as written.
      const joined = new Date(state.member.joinedOn!);
      if (row.joined_on!.includes('T')) expect(joined.getTime()).toBe(Date.parse(row.joined_on!));
      else expect(joined.toLocaleString('sv-SE', { timeZone: 'Europe/Oslo' })).toBe(`${row.joined_on} 00:00:00`);
    }
    for (const row of readCsv('night-1', 'coupons.csv')) {
      const coupon = sandbox.member(row.contact_id!)!.coupons.find((candidate) => candidate.couponId === row.coupon_id)!;
      expect(coupon.title).toBe(row.title);
      expect(coupon.description).toBe(row.description || undefined);
      expect(coupon.code).toBe(row.code || undefined);
      if (row.discount_type === 'amount') expect(coupon.discount).toEqual({ type: 'amount', value: minor(row.discount_value!), currency: row.currency || 'NOK' });
      if (row.discount_type === 'percentage') expect(coupon.discount).toEqual({ type: 'percentage', value: Number(row.discount_value) });
    }
    for (const row of readCsv('night-1', 'stamp_cards.csv')) {
      const card = sandbox.member(row.contact_id!)!.stampCards.find((candidate) => candidate.stampCardId === row.stamp_card_id)!;
      expect(card).toMatchObject({ title: row.title, stampsRequired: Number(row.stamps_required), stampsCollected: Number(row.stamps_collected) });
    }
    for (const row of readCsv('night-1', 'bonus_checks.csv')) {
      const check = sandbox.member(row.contact_id!)!.bonusChecks.find((candidate) => candidate.bonusCheckId === row.bonus_check_id)!;
      expect(check.amount).toEqual({ currency: row.currency || 'NOK', value: minor(row.amount!) });
    }
    const couponCount = sandbox.members().reduce((sum, member) => sum + member.coupons.length, 0);
    expect(couponCount).toBe(readCsv('night-1', 'coupons.csv').length);
    expect(sandbox.stats().anomalies).toEqual([]);
  });

  it('sends exactly the expected events for night-2, then nothing when night-2 runs again', async () => {
    const sandbox = await sandboxForTest();
    const dir = tempDir();
    await syncOnce({ source: join(SAMPLES, 'night-1') }, dir, sandbox.url);
    const before = sandbox.events().length;

    const { report, reportPath } = await syncOnce({ source: join(SAMPLES, 'night-2') }, dir, sandbox.url);
    const sent = sandbox.events().slice(before).map((event) => ({ contactId: event.contactId, action: event.action }));
    // Members run in parallel, so arrival interleaves members; within a member the order is strict.
    const grouped = [...sent].sort((a, b) => (a.contactId < b.contactId ? -1 : a.contactId > b.contactId ? 1 : 0));
    expect(grouped).toEqual(JSON.parse(readFileSync(join(SAMPLES, 'expected-night-2-events.json'), 'utf8')));
    expect(report).toMatchObject({ status: 'succeeded', members: { new: 5, deleted: 3, untouched: 4, failed: 0 }, events: { planned: 31, accepted: 31, failed: 0 } });

    const rejects = readFileSync(join(reportPath, '..', 'rejects.csv'), 'utf8').trim().split('\n').slice(1);
    const expectedRejects = JSON.parse(readFileSync(join(SAMPLES, 'expected-night-2-rejects.json'), 'utf8')) as { file: string; line: number; column: string }[];
    expect(rejects.map((line) => line.split(',').slice(0, 3).join(','))).toEqual(expectedRejects.map((reject) => `${reject.file},${reject.line},${reject.column}`));
    expect(sandbox.stats().anomalies).toEqual([]);

    const again = await syncOnce({ source: join(SAMPLES, 'night-2') }, dir, sandbox.url);
    expect(again.report).toMatchObject({ status: 'succeeded', exitCode: 0, events: { planned: 0, accepted: 0 } });
    expect(sandbox.events().length).toBe(before + 31);
  });

  it('--dry-run plans and reports but sends and commits nothing', async () => {
    const sandbox = await sandboxForTest();
    const dir = tempDir();
    const { report } = await syncOnce({ source: join(SAMPLES, 'night-1'), 'dry-run': true }, dir, sandbox.url);
    expect(report).toMatchObject({ status: 'dry-run', exitCode: 0, events: { planned: 149, accepted: 0 }, members: { new: 60 } });
    expect(sandbox.stats().requests).toBe(0);
    const store = openStateStore(join(dir, 'state.sqlite'));
    const count = (table: string) => (store.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    expect([count('snapshot'), count('outbox_events'), count('outbox_members')]).toEqual([0, 0, 0]);
    store.close();
    // A real run afterwards still registers everyone: the dry run left no trace in the snapshot.
    const real = await syncOnce({ source: join(SAMPLES, 'night-1') }, dir, sandbox.url);
    expect(real.report.events.accepted).toBe(149);
  });
});
