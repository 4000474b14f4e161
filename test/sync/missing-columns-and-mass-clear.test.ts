// A mapping typo or a column that vanished from the export must not wipe a field for the whole club: a
// column named in the config's "columns", or present in the last successful run's file of that kind, is
// an error when missing (exit 1, nothing sent) that names the file, the header expected, the headers
// found and the closest match. And whatever the cause, a run that would clear a field or empty a set for
// more than --max-clear-percent of known members is refused (exit 4, nothing sent) unless
// --allow-mass-clear; adding is never refused.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runNight } from '../fixtures/merchant.ts';
import { sandboxForTest } from '../fixtures/sync.ts';
import { tempDir, writeFiles } from '../fixtures/temp.ts';

const ids = Array.from({ length: 20 }, (_, index) => `M${String(index + 1).padStart(2, '0')}`);
const phone = (id: string) => `41234${id.slice(1).padStart(3, '0')}`;
/** A members file in the merchant's own words: `;`, Norwegian headers. */
const members = (header: string, cells: (id: string) => string) => `${header}\n${ids.map((id) => `${id};${phone(id)};${cells(id)}`).join('\n')}\n`;
const MAPPING = { columns: { members: { contact_id: 'Kundenr', phone_number: 'Mobil', tier: 'Nivå', bonus_points: 'Poeng' } } };
const coupons = (forIds: readonly string[], ...couponIds: string[]) =>
  `contact_id,coupon_id,title\n${forIds.flatMap((id) => couponIds.map((coupon) => `${id},${coupon},Kupong ${coupon}`)).join('\n')}\n`;

async function firstNight() {
  const sandbox = await sandboxForTest();
  const work = tempDir();
  const exportDir = tempDir();
  writeFiles(work, { 'config.json': JSON.stringify(MAPPING) });
  writeFiles(exportDir, { 'members.csv': members('Kundenr;Mobil;Nivå;Poeng', () => 'gold;100'), 'coupons.csv': coupons(ids, 'C1') });
  const night = (flags: string[] = []) => runNight(exportDir, work, sandbox.url, ['--config', join(work, 'config.json'), ...flags]);
  expect((await night()).code).toBe(0);
  return { sandbox, work, exportDir, night, requests: sandbox.stats().requests };
}

describe('a missing column', () => {
  it('named in the config (a typo: "Niva" for the file\'s "Nivå") fails the run with the closest match; nothing is sent', async () => {
    const sandbox = await sandboxForTest();
    const work = tempDir();
    const exportDir = writeFiles(tempDir(), { 'members.csv': members('Kundenr;Mobil;Nivå;Poeng', () => 'gold;100') });
    writeFiles(work, { 'config.json': JSON.stringify({ columns: { members: { ...MAPPING.columns.members, tier: 'Niva' } } }) });
    const night = await runNight(exportDir, work, sandbox.url, ['--config', join(work, 'config.json')]);
    expect(night.code).toBe(1);
    expect(night.report.error).toEqual({
      code: 'CSV_MISSING_COLUMN',
      message:
        'members.csv:1 (Niva): missing column "Niva" (tier in the config\'s "columns"), closest match "Nivå"; the header has "Kundenr", "Mobil", "Nivå", "Poeng"',
    });
    expect(sandbox.stats().requests).toBe(0);
  });

  it('that the last successful run\'s file had fails the run; --allow-mass-clear accepts it once, and then it is the new normal', async () => {
    const { sandbox, work, exportDir, night, requests } = await firstNight();
    // The export stops writing "Nivå", and the config stops mapping it.
    const { tier: _, ...withoutTier } = MAPPING.columns.members;
    writeFiles(work, { 'config.json': JSON.stringify({ columns: { members: withoutTier } }) });
    writeFiles(exportDir, { 'members.csv': members('Kundenr;Mobil;Poeng', () => '100') });
    const refused = await night();
    expect(refused.code).toBe(1);
    expect(refused.report.error?.code).toBe('CSV_MISSING_COLUMN');
    expect(refused.report.error?.message).toContain('members.csv:1 (Nivå): missing column "Nivå" (tier, in the last successful run\'s file)');
    expect(refused.report.error?.message).toContain('run once with --allow-mass-clear');
    expect(sandbox.stats().requests).toBe(requests);
    expect(sandbox.members().every((member) => member.member.tier === 'gold')).toBe(true);

    const allowed = await night(['--allow-mass-clear']);
    expect(allowed.report).toMatchObject({ status: 'succeeded', members: { changed: 20 } });
    expect(sandbox.members().every((member) => member.member.tier === undefined)).toBe(true);
    expect((await night()).report).toMatchObject({ status: 'succeeded', events: { planned: 0 } });
  });
});

describe('the mass-clear guard', () => {
  it('refuses a night that empties a field for every member (the column is there, its values are not), listing field and count', async () => {
    const { sandbox, exportDir, night, requests } = await firstNight();
    writeFiles(exportDir, { 'members.csv': members('Kundenr;Mobil;Nivå;Poeng', () => ';100') });
    const refused = await night();
    expect(refused.code).toBe(4);
    expect(refused.report).toMatchObject({ status: 'refused', error: { code: 'GUARD_MASS_CLEAR' } });
    expect(refused.report.warnings).toContain('tier: 20 of 20 known members would lose it (100.0% > 10%)');
    expect(refused.report.error!.message).toContain('override with --allow-mass-clear');
    expect(sandbox.stats().requests).toBe(requests);

    const allowed = await night(['--max-clear-percent', '100']);
    expect(allowed.report).toMatchObject({ status: 'succeeded', members: { changed: 20 } });
  });

  it('refuses a night that empties most coupon sets, and lets a small share through', async () => {
    const { sandbox, exportDir, night, requests } = await firstNight();
    // As many rows as before (the truncated-file guard sees nothing), but on two members only.
    const tenEach = Array.from({ length: 10 }, (_, index) => `C${index + 1}`);
    writeFiles(exportDir, { 'coupons.csv': coupons(ids.slice(0, 2), ...tenEach) });
    const refused = await night();
    expect(refused.code).toBe(4);
    expect(refused.report.warnings).toContain('coupons (all): 18 of 20 known members would lose it (90.0% > 10%)');
    expect(sandbox.stats().requests).toBe(requests);

    // 2 of 20 (10%) is not more than 10%.
    writeFiles(exportDir, { 'coupons.csv': coupons(ids.slice(2), 'C1') });
    const small = await night();
    expect(small.report).toMatchObject({ status: 'succeeded', members: { changed: 2 } });
  });

  it('never refuses a campaign that adds a coupon to every member', async () => {
    const { sandbox, exportDir, night } = await firstNight();
    writeFiles(exportDir, { 'coupons.csv': coupons(ids, 'C1', 'JUL') });
    const campaign = await night();
    expect(campaign.report).toMatchObject({ status: 'succeeded', members: { changed: 20 }, events: { accepted: 20 } });
    expect(sandbox.members().every((member) => member.coupons.length === 2)).toBe(true);
  });
});
