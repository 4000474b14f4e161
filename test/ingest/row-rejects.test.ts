// A bad row is reported with file, physical line, column and an exact reason; its member is untouched.
import { describe, expect, it } from 'vitest';
import { CsvError } from '../../src/errors.ts';
import { ingestFiles } from '../fixtures/ingest.ts';

const MEMBERS = 'contact_id,phone_number,joined_on,bonus_points,accepts_sms\n';

describe('rejected rows', () => {
  it('rejects a bad phone number without printing it in full', async () => {
    const { rejects, members, rejectedContacts } = await ingestFiles({ 'members.csv': `${MEMBERS}M1,41234567,,,\nM2,+47 1234 5,,,\n` });
    expect(rejects).toEqual([
      {
        file: 'members.csv',
        line: 3,
        column: 'phone_number',
        reason: 'expected a valid phone number (numbers without country code are read as NO)',
        value: '+47***45',
        contactId: 'M2',
      },
    ]);
    expect(members.map((member) => member.contactId)).toEqual(['M1']);
    expect(rejectedContacts).toEqual(['M2']);
  });

  it('rejects the second row of a duplicate key and names the first', async () => {
    const { rejects, rejectedContacts } = await ingestFiles({ 'members.csv': `${MEMBERS}M1,41234567,,,\nM2,41234568,,,\nM1,41234569,,,\n` });
    expect(rejects).toEqual([
      expect.objectContaining({ line: 4, column: 'contact_id', reason: 'duplicate key: the same contact_id is on an earlier line', value: 'M1 (first on line 2)', contactId: 'M1' }),
    ]);
    expect(rejectedContacts).toEqual(['M1']);
  });

  it('rejects duplicate item ids per member, not across members', async () => {
    const { rejects } = await ingestFiles({
      'members.csv': `${MEMBERS}M1,41234567,,,\nM2,41234568,,,\n`,
      'coupons.csv': 'contact_id,coupon_id,title\nM1,C1,A\nM2,C1,A\nM1,C1,B\n',
    });
    expect(rejects).toEqual([
      expect.objectContaining({ file: 'coupons.csv', line: 4, column: 'coupon_id', reason: 'duplicate key: the same coupon_id is on an earlier line', value: 'C1 (first on line 2)' }),
    ]);
  });

  it('reports duplicates and other bad rows in line order, however far apart (rows are staged in batches)', async () => {
    const rows = Array.from({ length: 100 }, (_, i) => `M${i},4123${String(i).padStart(4, '0')},,,`);
    rows[40] = 'M3,41230003,,,'; // duplicate of line 5
    rows[41] = 'M41,not-a-phone,,,';
    rows[42] = 'M41,41230041,,,'; // M41's first row was rejected: this one is staged, not a duplicate
    rows[70] = 'M69,41230069,,,'; // duplicate of the line right before
    rows[71] = 'M71,41230071,,,,extra';
    const { rejects, members, rejectedContacts } = await ingestFiles({ 'members.csv': `${MEMBERS}${rows.join('\n')}\n` });
    expect(rejects.map((reject) => [reject.line, reject.contactId, reject.reason.split(':')[0], reject.value])).toEqual([
      [42, 'M3', 'duplicate key', 'M3 (first on line 5)'],
      [43, 'M41', 'expected a valid phone number (numbers without country code are read as NO)', 'not****ne'],
      [72, 'M69', 'duplicate key', 'M69 (first on line 71)'],
      [73, 'M71', 'expected 5 fields as in the header (is a value with a delimiter missing its quotes?)', '6 fields'],
    ]);
    expect(rejectedContacts).toEqual(['M3', 'M41', 'M69', 'M71']);
    expect(members).toHaveLength(96);
  });

  it('fails the file on a missing required column, naming it and the header', async () => {
    const attempt = ingestFiles({ 'members.csv': 'contact_id,mobile\nM1,41234567\n' });
    await expect(attempt).rejects.toThrow(CsvError);
    await expect(attempt).rejects.toMatchObject({
      code: 'CSV_MISSING_COLUMN',
      position: { file: 'members.csv', line: 1, column: 'phone_number' },
      message: 'members.csv:1 (phone_number): missing required column "phone_number"; the header has "contact_id", "mobile"',
    });
  });

  it('finds renamed columns through the column mapping, case-insensitively', async () => {
    const { members } = await ingestFiles(
      { 'members.csv': 'Kundenummer,MOBIL\nM1,41234567\n' },
      { columns: { members: { contact_id: 'kundenummer', phone_number: 'Mobil' }, coupons: {}, stampCards: {}, bonusChecks: {} } },
    );
    expect(members[0]!.doc).toEqual({ contactId: 'M1', phoneNumber: '+4741234567' });
  });

  it('reports every bad field of a row, each with its column', async () => {
    const { rejects, result } = await ingestFiles({ 'members.csv': `${MEMBERS}M1,41234567,2026-02-30,12.5,kanskje\n` });
    expect(result.rowsRejected).toBe(1);
    expect(rejects.map((reject) => [reject.column, reject.reason, reject.value])).toEqual([
      ['joined_on', 'expected a date (YYYY-MM-DD) or an ISO 8601 date-time', '2026-02-30'],
      ['bonus_points', 'expected a whole number from 0 to 9999999', '12.5'],
      ['accepts_sms', 'expected a boolean (true/false, 1/0, yes/no, ja/nei)', 'kanskje'],
    ]);
  });

  it('rejects short rows and rows with extra values as a whole', async () => {
    const { rejects } = await ingestFiles({ 'members.csv': `${MEMBERS}M1,41234567\nM2,41234568,,,,surplus\nM3,41234569,,,,\n` });
    expect(rejects).toEqual([
      expect.objectContaining({ line: 2, column: '', reason: 'expected 5 fields as in the header', value: '2 fields' }),
      expect.objectContaining({ line: 3, column: '', reason: 'expected 5 fields as in the header (is a value with a delimiter missing its quotes?)', value: '6 fields' }),
    ]);
  });

  it('stops trusting deletions when a members row has no contact_id', async () => {
    const { result, rejects } = await ingestFiles({ 'members.csv': `${MEMBERS}M1,41234567,,,\n,41234568,,,\n` });
    expect(rejects).toEqual([expect.objectContaining({ line: 3, column: 'contact_id', reason: 'required value is empty' })]);
    expect(result.membersComplete).toBe(false);
    expect(result.warnings[0]).toContain('no member is deleted this run');
  });

  it('stops trusting an item kind when one of its rows has no contact_id', async () => {
    const { result } = await ingestFiles({
      'members.csv': `${MEMBERS}M1,41234567,,,\n`,
      'coupons.csv': 'contact_id,coupon_id,title\nM1,C1,A\n,C2,B\n',
      'stamp_cards.csv': 'contact_id,stamp_card_id,title,stamps_required,stamps_collected\nM1,S1,Kaffe,10,3\n',
    });
    expect([...result.trustedKinds].sort()).toEqual(['stampCards']);
  });

  it('reports a file whose quotes never close as unreadable, with a line', async () => {
    const attempt = ingestFiles({ 'members.csv': `${MEMBERS}M1,41234567,,,\nM2,"41234568,,,\n` });
    await expect(attempt).rejects.toMatchObject({ code: 'CSV_UNREADABLE', position: { file: 'members.csv' } });
  });
});
