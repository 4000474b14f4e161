// The benchmark's export generator: deterministic, valid for the job, and night 2 changes exactly what
// its manifest says (checked by syncing night 1 and planning night 2 with the real job).
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { describe, expect, it } from 'vitest';
import { ExportModel } from '../../src/bench/export-model.ts';
import { generateExportPair, type ExportManifest } from '../../src/bench/generate-export.ts';
import { couponRangeFlag } from '../../src/bench/flags.ts';
import { createPermutation } from '../../src/bench/prng.ts';
import { runCli } from '../fixtures/cli.ts';
import { sandboxForTest, syncOnce } from '../fixtures/sync.ts';
import { tempDir } from '../fixtures/temp.ts';

const digestOf = (folder: string) =>
  Object.fromEntries(
    ['night-1', 'night-2'].flatMap((night) =>
      readdirSync(join(folder, night)).map((name) => [`${night}/${name}`, createHash('sha256').update(readFileSync(join(folder, night, name))).digest('hex')]),
    ),
  );

describe('generated export pair', () => {
  it('is byte-identical for the same arguments and differs for another seed', () => {
    const [a, b, c] = [tempDir(), tempDir(), tempDir()];
    generateExportPair({ out: a, members: 2000, seed: 11, changeRate: 0.1 });
    generateExportPair({ out: b, members: 2000, seed: 11, changeRate: 0.1 });
    generateExportPair({ out: c, members: 2000, seed: 12, changeRate: 0.1 });
    const digests = digestOf(a);
    expect(Object.keys(digests)).toHaveLength(8);
    expect(digestOf(b)).toEqual(digests);
    expect(digestOf(c)['night-1/members.csv']).not.toBe(digests['night-1/members.csv']);
  });

  it('passes loyalty-sync validate on both nights', async () => {
    const out = tempDir();
    generateExportPair({ out, members: 1000, seed: 3, changeRate: 0.2 });
    for (const night of ['night-1', 'night-2']) {
      const files = readdirSync(join(out, night)).map((name) => join(out, night, name));
      const result = await runCli(['validate', ...files]);
      expect(result.stdout).toMatch(/members\.csv: 1\d{3} rows, 0 rejected/);
      expect(result.code, result.stdout + result.stderr).toBe(0);
    }
  });

  it('writes valid Norwegian and Swedish mobile numbers in mixed formats', () => {
    const out = tempDir();
    generateExportPair({ out, members: 1000, seed: 5, changeRate: 0 });
    const rows = parse(readFileSync(join(out, 'night-1', 'members.csv')), { columns: true }) as { phone_number: string }[];
    const countries = new Set<string>();
    const shapes = new Set<string>();
    for (const { phone_number: text } of rows) {
      const phone = parsePhoneNumberFromString(text, 'NO');
      expect(phone?.isValid(), text).toBe(true);
      expect(phone?.getType(), text).toBe('MOBILE');
      countries.add(phone!.country!);
      shapes.add(text.replace(/\d/g, '9'));
    }
    expect([...countries].sort()).toEqual(['NO', 'SE']);
    expect(shapes.size).toBeGreaterThanOrEqual(6);
  });

  it('lists night-2 rows in another order than night 1', () => {
    const out = tempDir();
    generateExportPair({ out, members: 500, seed: 9, changeRate: 0.1 });
    const ids = (night: string) =>
      (parse(readFileSync(join(out, night, 'members.csv')), { columns: true, bom: true, delimiter: night === 'night-1' ? ',' : ';' }) as { contact_id: string }[]).map(
        (row) => row.contact_id,
      );
    const first = ids('night-1');
    expect(first).toEqual([...first].sort());
    const second = ids('night-2');
    expect(second).not.toEqual([...second].sort());
  });

  it('plans exactly the changes its manifest announces, in a run the mass-delete guard lets through', async () => {
    const out = tempDir();
    // The largest change rate whose deletions reach the 4% cap: the guard refuses only above 5%.
    const manifest = generateExportPair({ out, members: 1000, seed: 21, changeRate: 0.5 });
    expect(manifest.deletePercent).toBe(4);
    await expectPlannedAsAnnounced(out, manifest);
  });

  it('gives each member the coupons per member it is asked for, and night 2 still plans what it announces', async () => {
    const out = tempDir();
    // Up to all 20 campaigns: a member who holds them all and is to get one more has one extended instead.
    const manifest = generateExportPair({ out, members: 400, seed: 4, changeRate: 0.5, couponsPerMember: { min: 18, max: 20 } });
    const perMember = new Map<string, number>();
    for (const row of parse(readFileSync(join(out, 'night-1', 'coupons.csv')), { columns: true }) as { contact_id: string }[]) {
      perMember.set(row.contact_id, (perMember.get(row.contact_id) ?? 0) + 1);
    }
    expect(perMember.size).toBe(400);
    expect(new Set(perMember.values())).toEqual(new Set([18, 19, 20]));
    await expectPlannedAsAnnounced(out, manifest);
  });
});

/** Night 1 synced into an empty state sends the events the manifest announces; night 2 then plans its own. */
async function expectPlannedAsAnnounced(out: string, manifest: ExportManifest): Promise<void> {
  const dir = tempDir();
  const members = manifest.params.members;
  const sandbox = await sandboxForTest({ recordEvents: false });
  const first = await syncOnce({ source: join(out, 'night-1') }, dir, sandbox.url);
  expect(first.report).toMatchObject({ status: 'succeeded', members: { new: members }, rows: { rejected: 0 } });
  expect(first.report.events.accepted).toBe(manifest.nights['night-1'].expectedEvents);

  const second = await syncOnce({ source: join(out, 'night-2'), 'dry-run': true }, dir, sandbox.url);
  expect(second.report.status).toBe('dry-run');
  expect(second.report.rows.rejected).toBe(0);
  expect(second.report.members).toMatchObject({ ...manifest.night2Members, untouched: 0 });
  expect(second.report.events.planned).toBe(manifest.nights['night-2'].expectedEvents);
}

describe('export model', () => {
  it('never deletes more than 4% of the members, whatever the change rate', () => {
    for (const changeRate of [0, 0.02, 0.3, 0.5, 1]) {
      const model = new ExportModel({ members: 10_000, seed: 1, changeRate });
      expect(model.deleteCount / 10_000).toBeLessThanOrEqual(0.04);
      let deleted = 0;
      for (let index = 0; index < 10_000; index++) if (model.fate(index) === 'deleted') deleted++;
      expect(deleted).toBe(model.deleteCount);
    }
  });

  it('refuses a coupon range it cannot draw from, naming the flag', () => {
    expect(couponRangeFlag('coupons', '10-20')).toEqual({ min: 10, max: 20 });
    expect(couponRangeFlag('coupons', '7')).toEqual({ min: 7, max: 7 });
    for (const raw of ['20-10', '0-21', '-1', '3-', 'x', '']) expect(() => couponRangeFlag('many-coupons', raw), raw).toThrow(/^--many-coupons: expected MIN-MAX/);
    expect(() => new ExportModel({ members: 10, seed: 1, changeRate: 0, couponsPerMember: { min: 5, max: 21 } })).toThrow(RangeError);
  });

  it('shuffles with a permutation: every position once', () => {
    for (const size of [1, 2, 7, 1000, 4097]) {
      const permute = createPermutation(size, 42);
      const seen = Array.from({ length: size }, (_, index) => permute(index)).sort((a, b) => a - b);
      expect(seen).toEqual(Array.from({ length: size }, (_, index) => index));
    }
  });
});
