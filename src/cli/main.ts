#!/usr/bin/env -S node --max-semi-space-size=8
// loyalty-sync <command>: the single top-level handler that turns errors into exit codes.
// Launch with --max-semi-space-size=8 (the shebang, npm scripts, Dockerfile and jobs/ do): on a machine
// with plenty of RAM, V8 otherwise grows its young generation to ~150 MB under the job's allocation rate,
// for no speed gain (README "Performance").
import { TOOL_VERSION } from '../api/system-headers.ts';
import { isSyncError } from '../errors.ts';
import { EXIT, exitCodeOf } from './exit-codes.ts';
import type { CommandIo } from './io.ts';

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

type Command = (args: readonly string[], io: CommandIo) => Promise<number>;

// Each command loads its own modules: `status` need not pay for the HTTP client, `run` not for the sandbox.
const COMMANDS: Record<string, () => Promise<Command>> = {
  run: async () => (await import('./run-command.ts')).runCommand,
  schedule: async () => (await import('./schedule-command.ts')).scheduleCommand,
  validate: async () => (await import('./validate-command.ts')).validateCommand,
  status: async () => (await import('./status-command.ts')).statusCommand,
  explain: async () => (await import('./explain-command.ts')).explainCommand,
  demo: async () => (await import('./demo-command.ts')).demoCommand,
  sandbox: async () => {
    const { runSandboxCommand } = await import('../sandbox/command.ts');
    return async (args, io) => {
      await runSandboxCommand([...args], io.env, { stdout: io.stdout });
      return EXIT.ok;
    };
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
  const load = COMMANDS[command];
  if (!load) {
    io.stderr.write(`loyalty-sync: unknown command "${command}"\n\n${USAGE}\n`);
    return EXIT.usage;
  }
  try {
    const handler = await load();
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
