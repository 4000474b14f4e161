// The fleet file: its structure is checked as a whole (a mistake there stops the fleet, exit 2, nothing
// runs), a merchant's own options by the run's schema (a mistake there fails only that merchant), and
// credentials are layered: partner keys for all, a merchant's own over them, its serial number its own.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { shardOf } from '../../src/base/shard.ts';
import { loadFleetConfig, merchantEnvName } from '../../src/config/load-fleet.ts';
import { tempDir } from '../fixtures/temp.ts';

const PARTNER = { VIPPS_CLIENT_ID: 'partner-id', VIPPS_CLIENT_SECRET: 'partner-secret', VIPPS_SUBSCRIPTION_KEY: 'partner-key' };

function fleetFile(content: unknown): string {
  const path = join(tempDir('loyalty-sync-fleet-config-'), 'fleet.json');
  writeFileSync(path, JSON.stringify(content));
  return path;
}

const merchant = (id: string, msn: string, more: Record<string, unknown> = {}) => ({ id, merchantSerialNumber: msn, source: `/drop/${id}`, ...more });

describe('fleet file', () => {
  it('refuses an unknown key at the top or in defaults, naming the one it resembles', () => {
    const top = fleetFile({ merchantConcurency: 2, merchants: [merchant('a', '1')] });
    expect(() => loadFleetConfig({ config: top }, PARTNER)).toThrow(/"merchantConcurency": unknown key \(did you mean "merchantConcurrency"\?\)/);
    const defaults = fleetFile({ defaults: { dialect: { delimter: ';' } }, merchants: [merchant('a', '1')] });
    expect(() => loadFleetConfig({ config: defaults }, PARTNER)).toThrow(/"defaults\.dialect\.delimter": unknown key \(did you mean "defaults\.dialect\.delimiter"\?\)/);
  });

  it('refuses two merchants with one id, one serial number, one state file or one source, and ids that cannot name a folder', () => {
    expect(() => loadFleetConfig({ config: fleetFile({ merchants: [merchant('a', '1'), merchant('a', '2')] }) }, PARTNER)).toThrow(/merchants\.1\.id: "a" is also merchants\[0\]'s id/);
    expect(() => loadFleetConfig({ config: fleetFile({ merchants: [merchant('a', '1'), merchant('b', '1')] }) }, PARTNER)).toThrow(/merchants\.1\.merchantSerialNumber/);
    expect(() => loadFleetConfig({ config: fleetFile({ merchants: [merchant('a', '1'), merchant('b', '2', { source: '/drop/a' })] }) }, PARTNER)).toThrow(/merchants a and b have the same source/);
    expect(() => loadFleetConfig({ config: fleetFile({ merchants: [merchant('a', '1', { state: '/s.sqlite' }), merchant('b', '2', { state: '/s.sqlite' })] }) }, PARTNER)).toThrow(/same state file/);
    for (const id of ['../up', 'Bakeri', 'a b', '-a', 'fleet']) {
      expect(() => loadFleetConfig({ config: fleetFile({ merchants: [merchant(id, '1')] }) }, PARTNER), id).toThrow(/merchants\.0\.id/);
    }
  });

  it('gives each merchant its own state file and report folder, the defaults under its own options, and flags over both', () => {
    const config = fleetFile({
      stateDir: '/data/state',
      reportDir: '/data/reports',
      defaults: { dialect: { delimiter: ';', encoding: 'utf-8' }, maxDeletePercent: 7 },
      merchants: [merchant('bakeri-nord', '100001', { dialect: { delimiter: ',' } }), merchant('kaffebar-sor', '100002', { maxDeletePercent: 2 })],
    });
    const fleet = loadFleetConfig({ config, 'max-attempts': '3' }, { ...PARTNER, LOYALTY_SYNC_MAX_DELETE_PERCENT: '9' });
    const [bakeri, kaffebar] = fleet.merchants.map((entry) => entry.config!);
    expect(bakeri).toMatchObject({ state: '/data/state/bakeri-nord/loyalty-sync.sqlite', reportDir: '/data/reports/bakeri-nord', dialect: { delimiter: ',', encoding: 'utf-8' }, maxAttempts: 3 });
    expect(kaffebar).toMatchObject({ state: '/data/state/kaffebar-sor/loyalty-sync.sqlite', dialect: { delimiter: ';' }, maxAttempts: 3 });
    // Env beats the file, for every merchant.
    expect([bakeri!.maxDeletePercent, kaffebar!.maxDeletePercent]).toEqual([9, 9]);
  });

  it('layers credentials: partner keys for all, a merchant\'s own (file, then env named after its id) over them, its serial number always its own', () => {
    expect(merchantEnvName('kaffebar-sor', 'VIPPS_CLIENT_SECRET')).toBe('LOYALTY_SYNC_MERCHANT_KAFFEBAR_SOR_CLIENT_SECRET');
    const config = fleetFile({
      merchants: [
        merchant('bakeri-nord', '100001'),
        merchant('kaffebar-sor', '100002', { credentials: { clientId: 'kaffebar-id', clientSecret: 'kaffebar-file-secret', subscriptionKey: 'kaffebar-key' } }),
        merchant('blomster-vest', '100003'),
      ],
    });
    const env = { ...PARTNER, VIPPS_MERCHANT_SERIAL_NUMBER: '999999', LOYALTY_SYNC_MERCHANT_KAFFEBAR_SOR_CLIENT_SECRET: 'kaffebar-env-secret', LOYALTY_SYNC_MERCHANT_BLOMSTER_VEST_SUBSCRIPTION_KEY: 'blomster-key' };
    const credentials = Object.fromEntries(loadFleetConfig({ config }, env).merchants.map((entry) => [entry.id, entry.config!.credentials]));
    expect(credentials).toEqual({
      'bakeri-nord': { clientId: 'partner-id', clientSecret: 'partner-secret', subscriptionKey: 'partner-key', merchantSerialNumber: '100001' },
      'kaffebar-sor': { clientId: 'kaffebar-id', clientSecret: 'kaffebar-env-secret', subscriptionKey: 'kaffebar-key', merchantSerialNumber: '100002' },
      'blomster-vest': { clientId: 'partner-id', clientSecret: 'partner-secret', subscriptionKey: 'blomster-key', merchantSerialNumber: '100003' },
    });
  });

  it('fails only the merchant without credentials, naming the variables to set', () => {
    const config = fleetFile({ merchants: [merchant('bakeri-nord', '100001', { credentials: { clientId: 'i', clientSecret: 'secret-1', subscriptionKey: 'k' } }), merchant('kaffebar-sor', '100002')] });
    const [bakeri, kaffebar] = loadFleetConfig({ config }, {}).merchants;
    expect(bakeri!.error).toBeUndefined();
    expect(kaffebar!.config).toBeUndefined();
    expect(kaffebar!.error!.code).toBe('CONFIG_INVALID');
    expect(kaffebar!.error!.message).toContain('VIPPS_CLIENT_ID, VIPPS_CLIENT_SECRET, VIPPS_SUBSCRIPTION_KEY (partner keys, for every merchant) or LOYALTY_SYNC_MERCHANT_KAFFEBAR_SOR_CLIENT_ID');
    // A dry run needs none.
    expect(loadFleetConfig({ config, 'dry-run': true }, {}).merchants.every((entry) => entry.error === undefined)).toBe(true);
  });

  it('--partition i/K takes the merchants whose id hashes to i (SHA-256 as --shard): every merchant in exactly one partition', () => {
    const ids = Array.from({ length: 30 }, (_, index) => `m-${index}`);
    const config = fleetFile({ merchants: ids.map((id, index) => merchant(id, String(index + 1))) });
    const parts = [0, 1, 2, 3].map((index) => loadFleetConfig({ config, partition: `${index}/4` }, PARTNER).merchants.map((entry) => entry.id));
    for (const [index, part] of parts.entries()) for (const id of part) expect(shardOf(id, 4)).toBe(index);
    expect(parts.flat().sort()).toEqual([...ids].sort());
    expect(() => loadFleetConfig({ config, partition: '4/4' }, PARTNER)).toThrow(/partition/);
  });
});
