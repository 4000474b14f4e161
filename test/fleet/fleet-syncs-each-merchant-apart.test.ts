// `loyalty-sync fleet` (partner mode): the real CLI as a child process against the sandbox. Each merchant
// is synced on its own (its serial number, state, reports); a broken export or refused credentials fail
// only that merchant; the fleet report lists them worst first, the exit code is the worst merchant's, and
// the sandbox holds, per merchant serial number, exactly what each good merchant's export says.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { FleetReport } from '../../src/base/fleet-report-schema.ts';
import { runCli } from '../fixtures/cli.ts';
import { sandboxForTest } from '../fixtures/sync.ts';
import { tempDir } from '../fixtures/temp.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FLEET_FILE = join(ROOT, 'samples', 'fleet', 'fleet.json');
const PARTNER_KEYS = { VIPPS_CLIENT_ID: 'partner-client', VIPPS_CLIENT_SECRET: 'partner-secret-9f3a', VIPPS_SUBSCRIPTION_KEY: 'partner-subscription-77' };

/** A `;` CSV of the samples as rows of named cells (the samples hold no quoted fields). */
function readRows(path: string): Record<string, string>[] {
  const [header, ...lines] = readFileSync(path, 'utf8').trimEnd().split('\n');
  const names = header!.split(';');
  return lines.map((line) => Object.fromEntries(line.split(';').map((cell, index) => [names[index]!, cell])));
}

/** What the sandbox should hold for a merchant: each member's id, points and tier, and its item ids. */
function expectedClub(folder: string, columns: { contactId: string } = { contactId: 'contact_id' }) {
  const items = (file: string, id: string) => {
    const path = join(ROOT, 'samples', 'fleet', folder, file);
    const byMember = new Map<string, string[]>();
    if (existsSync(path)) for (const row of readRows(path)) byMember.set(row.contact_id!, [...(byMember.get(row.contact_id!) ?? []), row[id]!].sort());
    return byMember;
  };
  const coupons = items('coupons.csv', 'coupon_id');
  const stampCards = items('stamp_cards.csv', 'stamp_card_id');
  const bonusChecks = items('bonus_checks.csv', 'bonus_check_id');
  return readRows(join(ROOT, 'samples', 'fleet', folder, 'members.csv')).map((row) => {
    const contactId = row[columns.contactId]!;
    return {
      contactId,
      bonusPoints: Number(row.bonus_points!.replace(/\s/g, '')),
      tier: row.tier,
      coupons: coupons.get(contactId) ?? [],
      stampCards: stampCards.get(contactId) ?? [],
      bonusChecks: bonusChecks.get(contactId) ?? [],
    };
  });
}

function clubInSandbox(members: { contactId: string; member: { bonusPoints?: { balance: number }; tier?: string }; coupons: { couponId: string }[]; stampCards: { stampCardId: string }[]; bonusChecks: { bonusCheckId: string }[] }[]) {
  return members.map((entry) => ({
    contactId: entry.contactId,
    bonusPoints: entry.member.bonusPoints?.balance,
    tier: entry.member.tier,
    coupons: entry.coupons.map((coupon) => coupon.couponId).sort(),
    stampCards: entry.stampCards.map((card) => card.stampCardId).sort(),
    bonusChecks: entry.bonusChecks.map((check) => check.bonusCheckId).sort(),
  }));
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

describe('fleet: every merchant synced apart', () => {
  it('syncs the sample fleet: two merchants succeed, the broken export fails alone, the sandbox holds each good export under its serial number', async () => {
    const sandbox = await sandboxForTest();
    const out = tempDir('loyalty-sync-fleet-');
    const result = await runCli(['fleet', '--config', FLEET_FILE, '--api-url', sandbox.url, '--state-dir', join(out, 'state'), '--report-dir', join(out, 'reports')], PARTNER_KEYS, { cwd: ROOT });

    expect(result.code, result.stderr).toBe(1);
    const stdoutLines = result.stdout.trimEnd().split('\n');
    expect(stdoutLines).toHaveLength(1);
    expect(stdoutLines[0]).toMatch(/^loyalty-sync fleet \S+: 3 merchants, 2 succeeded, 1 failed \(blomster-vest: CSV_MISSING_COLUMN\) · .* · exit 1 · report .*fleet-report\.html$/);

    const fleetDir = join(out, 'reports', 'fleet');
    const latest = JSON.parse(readFileSync(join(fleetDir, 'latest.json'), 'utf8')) as FleetReport;
    expect(latest.exitCode).toBe(1);
    expect(latest.rows.map((row) => [row.id, row.status, row.exitCode])).toEqual([
      ['blomster-vest', 'failed', 1],
      ['bakeri-nord', 'succeeded', 0],
      ['kaffebar-sor', 'succeeded', 0],
    ]);
    expect(latest.rows[0]!.error?.code).toBe('CSV_MISSING_COLUMN');
    const runFolder = join(fleetDir, latest.fleetRunId);
    expect(JSON.parse(readFileSync(join(runFolder, 'fleet-report.json'), 'utf8'))).toEqual(latest);
    // Every row links to the merchant's own report, relative to the fleet report's folder.
    const html = readFileSync(join(runFolder, 'fleet-report.html'), 'utf8');
    for (const row of latest.rows) {
      expect(existsSync(join(runFolder, row.report!.html)), row.report!.html).toBe(true);
      expect(html).toContain(`href="${row.report!.html}"`);
      expect(JSON.parse(readFileSync(join(runFolder, row.report!.json), 'utf8')).runId).toBe(row.runId);
    }
    // Each merchant has its own state file and report folder.
    for (const id of ['bakeri-nord', 'kaffebar-sor', 'blomster-vest']) {
      expect(existsSync(join(out, 'state', id, 'loyalty-sync.sqlite')), id).toBe(true);
      expect(existsSync(join(out, 'reports', id, 'latest.json')), id).toBe(true);
    }
    const metrics = readFileSync(join(fleetDir, 'metrics.prom'), 'utf8');
    expect(metrics).toContain('loyalty_sync_merchant_exit_code{sync_job="loyalty-sync",merchant="blomster-vest"} 1');
    expect(metrics).toContain('loyalty_sync_fleet_exit_code{sync_job="loyalty-sync"} 1');
    expect(metrics).toMatch(/^loyalty_sync_members\{sync_job="loyalty-sync",merchant="bakeri-nord",change="new"\} 5$/m);
    expect(metrics.match(/^# TYPE loyalty_sync_members gauge$/gm)).toHaveLength(1);

    expect(clubInSandbox(sandbox.members({ merchantSerialNumber: '100001' }))).toEqual(expectedClub('bakeri-nord'));
    expect(clubInSandbox(sandbox.members({ merchantSerialNumber: '100002' }))).toEqual(expectedClub('kaffebar-sor', { contactId: 'Kundenummer' }));
    expect(sandbox.members({ merchantSerialNumber: '100003' })).toEqual([]);
    expect(sandbox.stats().anomalies).toEqual([]);
    // Partner keys: one token for the whole fleet.
    expect(sandbox.stats().tokensIssued).toBe(1);
  });

  it('fails only the merchant whose own keys are refused, and none of its secrets reaches an output', async () => {
    const sandbox = await sandboxForTest();
    const out = tempDir('loyalty-sync-fleet-');
    const ownSecret = 'kaffebar-OWN-secret-4c1e';
    // kaffebar-sor's own keys are refused, and the refusal echoes what it was sent.
    sandbox.setFaults({ tokenFailures: { status: 401 }, echoCredentials: true }, '100002');
    const result = await runCli(
      ['fleet', '--config', FLEET_FILE, '--api-url', sandbox.url, '--state-dir', join(out, 'state'), '--report-dir', join(out, 'reports'), '--max-attempts', '2', '--retry-base-delay-ms', '1'],
      { ...PARTNER_KEYS, LOYALTY_SYNC_MERCHANT_KAFFEBAR_SOR_CLIENT_ID: 'kaffebar-own-client', LOYALTY_SYNC_MERCHANT_KAFFEBAR_SOR_CLIENT_SECRET: ownSecret },
      { cwd: ROOT },
    );
    expect(result.code, result.stderr).toBe(1);
    const latest = JSON.parse(readFileSync(join(out, 'reports', 'fleet', 'latest.json'), 'utf8')) as FleetReport;
    const byId = Object.fromEntries(latest.rows.map((row) => [row.id, row]));
    expect(byId['kaffebar-sor']).toMatchObject({ status: 'failed', exitCode: 1, error: { code: 'API_TOKEN_FAILED' } });
    expect(byId['bakeri-nord']).toMatchObject({ status: 'succeeded', exitCode: 0 });
    expect(sandbox.members({ merchantSerialNumber: '100001' })).toHaveLength(5);
    expect(sandbox.members({ merchantSerialNumber: '100002' })).toEqual([]);
    // The partner's token was fetched once, the merchant's own keys fetched their own (refused).
    expect(sandbox.stats('100001').tokensIssued).toBe(1);
    expect(sandbox.stats('100002').tokenFailures).toBeGreaterThan(0);

    const outputs = [result.stdout, result.stderr, ...filesUnder(join(out, 'reports')).map((path) => readFileSync(path, 'utf8'))];
    for (const secret of [ownSecret, PARTNER_KEYS.VIPPS_CLIENT_SECRET, PARTNER_KEYS.VIPPS_SUBSCRIPTION_KEY]) {
      for (const output of outputs) expect(output.includes(secret), secret).toBe(false);
    }
  });

  it('keeps running the other merchants when one merchant\'s entry is wrong, and names it', async () => {
    const sandbox = await sandboxForTest();
    const out = tempDir('loyalty-sync-fleet-');
    const fleet = JSON.parse(readFileSync(FLEET_FILE, 'utf8')) as { merchants: Record<string, unknown>[] };
    fleet.merchants[0]!.dialekt = { delimiter: ';' };
    for (const merchant of fleet.merchants) merchant.source = join(ROOT, merchant.source as string);
    const file = join(out, 'fleet.json');
    writeFileSync(file, JSON.stringify(fleet));
    const result = await runCli(['fleet', '--config', file, '--api-url', sandbox.url, '--state-dir', join(out, 'state'), '--report-dir', join(out, 'reports')], PARTNER_KEYS, { cwd: dirname(file) });
    // A configuration error outranks nothing worse here but the broken export (exit 1).
    expect(result.code, result.stderr).toBe(1);
    const latest = JSON.parse(readFileSync(join(out, 'reports', 'fleet', 'latest.json'), 'utf8')) as FleetReport;
    expect(latest.rows.map((row) => [row.id, row.exitCode, row.error?.code])).toEqual([
      ['blomster-vest', 1, 'CSV_MISSING_COLUMN'],
      ['bakeri-nord', 2, 'CONFIG_INVALID'],
      ['kaffebar-sor', 0, undefined],
    ]);
    expect(latest.rows[1]!.error!.message).toContain('"merchants.bakeri-nord.dialekt": unknown key (did you mean "merchants.bakeri-nord.dialect"?)');
    expect(sandbox.members({ merchantSerialNumber: '100002' })).toHaveLength(3);
  });
});
