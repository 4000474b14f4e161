// Two merchants of a partner may hold the same customer under the same contact id with the same data,
// exported at the same time. The API deduplicates by event id, and whether across merchants is not
// published: a second merchant's registration taken for the first's re-send would be lost. So in a fleet
// each merchant's serial number is part of its event ids, kept in its state file, and `explain` (which
// knows no fleet) still shows the ids its next run sends.
import { cpSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFleetConfig } from '../../src/config/load-fleet.ts';
import { runFleet } from '../../src/fleet/run-fleet.ts';
import { createLogger } from '../../src/log.ts';
import { runCli } from '../fixtures/cli.ts';
import { SAMPLES, sandboxForTest } from '../fixtures/sync.ts';
import { tempDir } from '../fixtures/temp.ts';

const PARTNER_KEYS = { VIPPS_CLIENT_ID: 'partner', VIPPS_CLIENT_SECRET: 'partner-secret', VIPPS_SUBSCRIPTION_KEY: 'partner-key' };
const SHOPS = [
  { id: 'shop-a', merchantSerialNumber: '400001' },
  { id: 'shop-b', merchantSerialNumber: '400002' },
];

/** The same night for every shop, with the same modification time: the same as-of time, the same bodies. */
function sameNight(dir: string, night: string, at: Date): void {
  for (const { id } of SHOPS) {
    const drop = join(dir, 'drops', id);
    cpSync(join(SAMPLES, night), drop, { recursive: true });
    for (const file of readdirSync(drop)) utimesSync(join(drop, file), at, at);
  }
}

describe('merchants of one fleet', () => {
  it('never share an event id, even for identical members in identical exports; explain shows the ids sent', async () => {
    const sandbox = await sandboxForTest();
    const dir = tempDir('loyalty-sync-fleet-ids-');
    const config = join(dir, 'fleet.json');
    writeFileSync(
      config,
      JSON.stringify({
        stateDir: join(dir, 'state'),
        reportDir: join(dir, 'reports'),
        defaults: { logLevel: 'silent', maxDeletePercent: 100 },
        merchants: SHOPS.map((shop) => ({ ...shop, source: join(dir, 'drops', shop.id) })),
      }),
    );
    const fleetOnce = async () => {
      const fleet = loadFleetConfig({ config, 'api-url': sandbox.url, 'log-level': 'silent' }, PARTNER_KEYS);
      return (await runFleet({ fleet, logger: createLogger({ level: 'silent' }) })).report;
    };

    sameNight(dir, 'night-1', new Date('2026-11-24T03:00:00Z'));
    expect((await fleetOnce()).rows.map((row) => row.status)).toEqual(['succeeded', 'succeeded']);
    const idsOf = (msn: string) => sandbox.events(undefined, msn).map((event) => event.eventId);
    const [a, b] = SHOPS.map((shop) => idsOf(shop.merchantSerialNumber));
    expect(a!.length).toBeGreaterThan(100);
    expect(b).toHaveLength(a!.length);
    expect(a!.filter((id) => b!.includes(id))).toEqual([]);

    // Night 2: what explain says shop-b's next run sends for a changed member is what it then sends.
    sameNight(dir, 'night-2', new Date('2026-11-25T03:00:00Z'));
    const explained = await runCli(['explain', 'M-10019', '--state', join(dir, 'state', 'shop-b', 'loyalty-sync.sqlite'), '--source', join(dir, 'drops', 'shop-b'), '--json']);
    expect(explained.code).toBe(0);
    const foretold = JSON.parse(explained.stdout).export.nextEvents.map((event: { eventId: string }) => event.eventId);
    expect(foretold.length).toBeGreaterThan(0);
    await fleetOnce();
    const sent = sandbox.events('M-10019', '400002').map((event) => event.eventId);
    expect(sent.slice(-foretold.length)).toEqual(foretold);
    expect(sandbox.events('M-10019', '400001').map((event) => event.eventId).filter((id) => sent.includes(id))).toEqual([]);
  });
});
