#!/usr/bin/env node
// loyalty-sync <command>: the single top-level handler that turns errors into exit codes.
import { TOOL_VERSION } from '../api/system-headers.ts';
import { isSyncError } from '../errors.ts';
import { runSandboxCommand } from '../sandbox/command.ts';
import { demoCommand } from './demo-command.ts';
import { explainCommand } from './explain-command.ts';
import { EXIT, exitCodeOf } from './exit-codes.ts';
import type { CommandIo } from './io.ts';
import { runCommand } from './run-command.ts';
import { scheduleCommand } from './schedule-command.ts';
import { statusCommand } from './status-command.ts';
import { validateCommand } from './validate-command.ts';

const USAGE = `Usage: loyalty-sync <command> [options]

Commands:
  run        one sync: export → changes → Loyalty API → snapshot → report
  schedule   run 'run' on a cron schedule in this process
  validate   check export files; print every rejected row
  status     the last runs recorded in a state file
  explain    why a member gets (or got) the events it does
  sandbox    start the built-in Loyalty API emulator
  demo       run the sample nights against the sandbox

'loyalty-sync <command> --help' for a command's options.`;

const COMMANDS: Record<string, (args: readonly string[], io: CommandIo) => Promise<number>> = {
  run: runCommand,
  schedule: scheduleCommand,
  validate: validateCommand,
  status: statusCommand,
  explain: explainCommand,
  demo: demoCommand,
  sandbox: async (args, io) => {
    await runSandboxCommand([...args], io.env, { stdout: io.stdout });
    return EXIT.ok;
  },
};

export async function main(argv: readonly string[], io: CommandIo): Promise<number> {
  const [command, ...args] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    io.stdout.write(`${USAGE}\n`);
    return command ? EXIT.ok : EXIT.usage;
  }
  if (command === '--version' || command === 'version') {
    io.stdout.write(`${TOOL_VERSION}\n`);
    return EXIT.ok;
  }
  const handler = COMMANDS[command];
  if (!handler) {
    io.stderr.write(`loyalty-sync: unknown command "${command}"\n\n${USAGE}\n`);
    return EXIT.usage;
  }
  try {
    return await handler(args, io);
  } catch (error) {
    const code = isSyncError(error) ? error.code : 'INTERNAL';
    const message = isSyncError(error) ? error.message : ((error as Error).stack ?? String(error));
    io.stderr.write(`loyalty-sync ${command}: ${code}: ${message}\n`);
    return exitCodeOf(error);
  }
}

if (import.meta.main) {
  process.exitCode = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env });
}
