// `npm run demo:fleet` (`loyalty-sync demo --fleet`): samples/fleet/ through the real fleet run against the
// built-in sandbox: three merchants, one with a broken export. Shows the fleet's summary line and what the
// sandbox holds per merchant serial number.
import { readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXIT } from '../base/exit-codes.ts';
import { loadFleetConfig } from '../config/load-fleet.ts';
import { runFleet } from '../fleet/run-fleet.ts';
import { fleetSummaryLine } from '../report/fleet-report.ts';
import { startSandbox } from '../sandbox/server.ts';
import { createCliLogger } from './cli-logger.ts';
import type { CommandIo } from './io.ts';

const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PARTNER_KEYS = { VIPPS_CLIENT_ID: 'demo-partner', VIPPS_CLIENT_SECRET: 'demo-partner-secret', VIPPS_SUBSCRIPTION_KEY: 'demo-partner-key' };

export async function demoFleet(out: string, logLevel: string, io: CommandIo): Promise<number> {
  // The sample fleet names its sources from the package's root: made absolute, it runs from anywhere.
  const fleetFile = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'samples', 'fleet', 'fleet.json'), 'utf8')) as { merchants: { id: string; source: string }[] };
  for (const merchant of fleetFile.merchants) if (!isAbsolute(merchant.source)) merchant.source = join(PACKAGE_ROOT, merchant.source);
  const config = join(out, 'fleet.json');
  writeFileSync(config, JSON.stringify(fleetFile, null, 2));
  const sandbox = await startSandbox();
  io.stdout.write(`Sandbox Loyalty API on ${sandbox.url}; the fleet's state and reports in ${out}\n\n`);
  try {
    const fleet = loadFleetConfig({ config, 'state-dir': join(out, 'state'), 'report-dir': join(out, 'reports'), 'api-url': sandbox.url, 'log-level': logLevel }, PARTNER_KEYS);
    const { logger } = await createCliLogger(fleet.logLevel, io);
    const { report, htmlPath } = await runFleet({ fleet, logger });
    io.stdout.write(`${fleetSummaryLine(report, htmlPath)}\n\n`);
    for (const row of report.rows) {
      const held = sandbox.members({ merchantSerialNumber: row.merchantSerialNumber }).length;
      io.stdout.write(`  ${row.id.padEnd(14)} MSN ${row.merchantSerialNumber}  ${row.status.padEnd(9)} ${row.error ? `${row.error.code}; ` : ''}the sandbox holds ${held} members\n`);
    }
    io.stdout.write(`\nInspect one merchant in a live sandbox with curl …/_sandbox/members?msn=<serial number>.\n`);
    const expected = report.merchants.byStatus.succeeded === 2 && report.merchants.byStatus.failed === 1;
    return expected ? EXIT.ok : EXIT.fatal;
  } finally {
    await sandbox.close();
  }
}
