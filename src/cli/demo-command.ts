// `npm run demo`: the real nightly job, twice (night-1, then night-2 of samples/), against the built-in
// sandbox. No credentials needed: the sandbox accepts any non-empty values unless told otherwise.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../config/load.ts';
import { RUN_COMMAND, type OptionSpec } from '../config/options.ts';
import { reportFileLines, summaryLine } from '../report/summary-line.ts';
import { startSandbox } from '../sandbox/server.ts';
import { localFolderSource } from '../sources/local-folder.ts';
import { runSync } from '../sync.ts';
import { parseFlags } from './args.ts';
import { createCliLogger } from './cli-logger.ts';
import { EXIT } from '../base/exit-codes.ts';
import type { CommandIo } from './io.ts';

const SAMPLES = fileURLToPath(new URL('../../samples/', import.meta.url));
const NIGHTS = ['night-1', 'night-2'];
const DEMO_OPTIONS: readonly OptionSpec[] = [
  { key: 'out', flag: 'out', type: 'string', help: 'folder for the state file and reports (default: a new temp folder)' },
  { key: 'logLevel', flag: 'log-level', type: 'string', help: 'log level on stderr (default warn)' },
  { key: 'fleet', flag: 'fleet', type: 'boolean', help: 'partner mode: samples/fleet/ (three merchants, one broken) through `fleet`' },
];
const DEMO_CREDENTIALS = { clientId: 'demo-client', clientSecret: 'demo-secret', subscriptionKey: 'demo-key', merchantSerialNumber: '123456' };

const DEMO_HELP = `Usage: loyalty-sync demo [--fleet] [--out <folder>] [--log-level <level>]

Starts the sandbox, runs samples/night-1 then samples/night-2 through the real job, prints what happened
and where the reports are, stops the sandbox. --fleet: samples/fleet/ through 'fleet' instead (partner
mode: three merchants, one with a broken export).`;

export async function demoCommand(args: readonly string[], io: CommandIo): Promise<number> {
  const { flags } = parseFlags(args, DEMO_OPTIONS);
  if (flags.help) {
    io.stdout.write(`${DEMO_HELP}\n`);
    return EXIT.ok;
  }
  const out = (flags.out as string | undefined) ?? mkdtempSync(join(tmpdir(), 'loyalty-sync-demo-'));
  if (flags.fleet) return (await import('./demo-fleet.ts')).demoFleet(out, (flags['log-level'] as string | undefined) ?? 'warn', io);
  const sandbox = await startSandbox();
  io.stdout.write(`Sandbox Loyalty API on ${sandbox.url}; state and reports in ${out}\n\n`);
  let healthy = true;
  try {
    const configs = NIGHTS.map((night) =>
      loadConfig(
        { ...RUN_COMMAND, secrets: false },
        { source: join(SAMPLES, night), state: join(out, 'loyalty-sync.sqlite'), 'report-dir': join(out, 'reports'), 'api-url': sandbox.url, 'log-level': flags['log-level'] ?? 'warn' },
        {},
      ),
    );
    const { logger } = await createCliLogger(configs[0]!.logLevel, io);
    for (const [index, night] of NIGHTS.entries()) {
      const config = configs[index]!;
      const { report, reportPath } = await runSync({
        config: { ...config, credentials: DEMO_CREDENTIALS },
        source: localFolderSource(config.source, config.timeZone),
        logger,
      });
      io.stdout.write(`${night}: ${summaryLine(report, reportPath)}\n${reportFileLines(report, reportPath, ' '.repeat(night.length + 2))}\n`);
      healthy &&= report.status === 'succeeded';
    }
    const stats = sandbox.stats();
    io.stdout.write(
      `The sandbox now holds ${sandbox.members().length} active members; it accepted ${stats.accepted} events ` +
        `(${stats.duplicates} duplicates, ${stats.anomalies.length} anomalies).\n` +
        `Run it again with 'npm run demo'; inspect a live sandbox with 'npx loyalty-sync sandbox' and curl.\n`,
    );
    healthy &&= stats.anomalies.length === 0;
  } finally {
    await sandbox.close();
  }
  return healthy ? EXIT.ok : EXIT.fatal;
}
