import { setMaxListeners } from 'node:events';
import { exitCodesText, EXIT_SEVERITY } from '../base/exit-codes.ts';
import { loadFleetConfig } from '../config/load-fleet.ts';
import { FLEET_MERCHANT_OPTIONS, FLEET_OPTIONS, optionsHelp } from '../config/options.ts';
import { fleetSchema } from '../config/fleet-schema.ts';
import { runConfigSchema } from '../config/schema.ts';
import { runFleet } from '../fleet/run-fleet.ts';
import { fleetSummaryLine } from '../report/fleet-report.ts';
import { parseFlags } from './args.ts';
import { createCliLogger } from './cli-logger.ts';
import { stopOnSignals } from './stop-on-signals.ts';
import type { CommandIo } from './io.ts';

const FLEET_HELP = `Usage: loyalty-sync fleet --config fleet.json [--partition i/K] [options]

Partner mode: syncs every merchant of the fleet file (each its own merchant serial number, export, state
file, lock, guards and reports) with the same run as 'loyalty-sync run', and writes a fleet report:
<report-dir>/fleet/<fleet run>/fleet-report.json and fleet-report.html, one row per merchant, worst first.
Partner keys from env (VIPPS_CLIENT_ID, VIPPS_CLIENT_SECRET, VIPPS_SUBSCRIPTION_KEY) or the file's
"defaults": {"credentials": …}; a merchant's own from its entry or LOYALTY_SYNC_MERCHANT_<ID>_CLIENT_ID,
…_CLIENT_SECRET, …_SUBSCRIPTION_KEY (<ID>: the id in capitals, "-" as "_"). Flags beat env, env beats the file.

Fleet options:
${optionsHelp({ schema: fleetSchema, options: FLEET_OPTIONS })}

For every merchant (over the file's "defaults" and its entry):
${optionsHelp({ schema: runConfigSchema, options: FLEET_MERCHANT_OPTIONS }).split('\n').slice(1).join('\n')}

Exit code: the worst merchant's, worst first: ${EXIT_SEVERITY.join(', ')} (${exitCodesText()}).`;

export async function fleetCommand(args: readonly string[], io: CommandIo): Promise<number> {
  const { flags } = parseFlags(args, [...FLEET_OPTIONS, ...FLEET_MERCHANT_OPTIONS]);
  if (flags.help) {
    io.stdout.write(`${FLEET_HELP}\n`);
    return 0;
  }
  const fleet = loadFleetConfig(flags, io.env);
  const { logger } = await createCliLogger(fleet.logLevel, io);
  const stop = stopOnSignals(logger, 'fleet', 'no new merchant or member is started');
  // Every merchant's run listens for the stop: more than Node's default of 10 at once is expected here.
  setMaxListeners(Math.max(10, 4 * fleet.merchantConcurrency), stop.signal);
  try {
    const { report, htmlPath } = await runFleet({ fleet, logger, signal: stop.signal });
    io.stdout.write(`${fleetSummaryLine(report, htmlPath)}\n`);
    return report.exitCode;
  } finally {
    stop.release();
  }
}
