// Rejects name columns the way the merchant's file does (the mapped header, also inside a reason), the
// `reason` column of rejects.csv is a fixed text per kind of problem (scripts can group by it), and the
// offending value has a column of its own.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runNight } from '../fixtures/merchant.ts';
import { sandboxForTest } from '../fixtures/sync.ts';
import { tempDir, writeFiles } from '../fixtures/temp.ts';

const CONFIG = {
  dialect: { delimiter: ';' },
  columns: {
    members: { contact_id: 'Kundenr', phone_number: 'Mobil', bonus_points: 'Poeng' },
    coupons: { contact_id: 'Kundenr', coupon_id: 'Kupong', title: 'Tittel' },
    stampCards: { contact_id: 'Kundenr', stamp_card_id: 'Kort', title: 'Tittel', stamps_required: 'Stempler', stamps_collected: 'Samlet' },
  },
};

describe('rejects in the file\'s own words', () => {
  it('name mapped headers, keep reasons fixed and put the value in its own column', async () => {
    const sandbox = await sandboxForTest();
    const work = writeFiles(tempDir(), { 'config.json': JSON.stringify(CONFIG) });
    const exportDir = writeFiles(tempDir(), {
      'members.csv': 'Kundenr;Mobil;Poeng\nM1;41234001;10\nM2;41234002;mange\nM3;41234003;12.5\n',
      'coupons.csv': 'Kundenr;Kupong;Tittel\nM1;C1;Kaffe\nM1;C1;Bolle\nM9;C1;Kake\n',
      'stamp_cards.csv': 'Kundenr;Kort;Tittel;Stempler;Samlet\nM1;S1;Kaffe;10;12\n',
    });
    const night = await runNight(exportDir, work, sandbox.url, ['--config', join(work, 'config.json')]);
    expect(night.rejects[0]).toEqual(['file', 'line', 'column', 'reason', 'contact_id', 'value']);
    expect(night.rejects.slice(1)).toEqual([
      ['members.csv', '3', 'Poeng', 'expected a whole number from 0 to 9999999', 'M2', 'mange'],
      ['members.csv', '4', 'Poeng', 'expected a whole number from 0 to 9999999', 'M3', '12.5'],
      ['coupons.csv', '3', 'Kupong', 'duplicate key: the same Kupong is on an earlier line', 'M1', 'C1 (first on line 2)'],
      ['coupons.csv', '4', 'Kundenr', 'expected a Kundenr that is in the members file', 'M9', 'M9'],
      ['stamp_cards.csv', '2', 'Samlet', 'expected at most Stempler', 'M1', '12'],
    ]);
    for (const [, , , reason] of night.rejects.slice(1)) expect(reason).not.toMatch(/got|"/);
    // One reason, two rows: the report groups them.
    expect(night.report.rejects.byReason).toContainEqual({ reason: 'Poeng: expected a whole number from 0 to 9999999', count: 2, examples: ['members.csv:3', 'members.csv:4'] });
  });
});
