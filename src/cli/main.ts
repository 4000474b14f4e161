#!/usr/bin/env -S node --max-semi-space-size=8 --max-old-space-size=64 --no-allocation-site-pretenuring
// loyalty-sync <command>: the single top-level handler that turns errors into exit codes.
// The shebang's V8 flags keep the job's memory flat at any export size (README "Performance"); the npm
// scripts, the Dockerfile and jobs/ launch with the same flags (a test holds them to it). The sandbox keeps
// what it is sent in memory: it re-launches itself without the cap.
import { spawn } from 'node:child_process';
import { constants as osConstants } from 'node:os';
import { fileURLToPath } from 'node:url';
import { TOOL_VERSION } from '../base/tool.ts';
import { isSyncError } from '../errors.ts';
import { redactText } from '../privacy/redact.ts';
import { removeSecrets } from '../privacy/secret-values.ts';
import { EXIT, exitCodeOf } from '../base/exit-codes.ts';
import type { CommandIo } from './io.ts';

const USAGE = `Usage: loyalty-sync <command> [options]

Commands:
  run        one sync: export → changes → Loyalty API → snapshot → report
  fleet      partner mode: 'run' for every merchant of a fleet file, and a fleet report
  schedule   run 'run' on a cron schedule in this process
  validate   check export files; print every rejected row
  status     the last runs recorded in a state file
  explain    why a member gets (or got) the events it does
  forget     erase a departed member's local traces (state, backups, reports)
  sandbox    start the built-in Loyalty API emulator
  demo       run the sample nights against the sandbox

'loyalty-sync <command> --help' for a command's options.`;

type Command = (args: readonly string[], io: CommandIo) => Promise<number>;

// Each command loads its own modules: `status` need not pay for the HTTP client, `run` not for the sandbox.
const COMMANDS: Record<string, () => Promise<Command>> = {
  run: async () => (await import('./run-command.ts')).runCommand,
  fleet: async () => (await import('./fleet-command.ts')).fleetCommand,
  schedule: async () => (await import('./schedule-command.ts')).scheduleCommand,
  validate: async () => (await import('./validate-command.ts')).validateCommand,
  status: async () => (await import('./status-command.ts')).statusCommand,
  explain: async () => (await import('./explain-command.ts')).explainCommand,
  forget: async () => (await import('./forget-command.ts')).forgetCommand,
  demo: async () => (await import('./demo-command.ts')).demoCommand,
  sandbox: async () => {
    // The sandbox keeps every member and event it is sent in memory: the job's heap cap is not for it.
    if (process.execArgv.some((flag) => flag.startsWith('--max-old-space-size'))) return (args) => relaunchWithoutHeapCap(['sandbox', ...args]);
    const { runSandboxCommand } = await import('../sandbox/command.ts');
    return async (args, io) => {
      await runSandboxCommand([...args], io.env, { stdout: io.stdout });
      return EXIT.ok;
    };
  },
};

/** Runs this CLI again in a child process without this process's V8 flags; signals are passed on. */
function relaunchWithoutHeapCap(argv: readonly string[]): Promise<number> {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), ...argv], { stdio: 'inherit' });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  return new Promise((resolve) =>
    child.on('exit', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve(code ?? (signal ? 128 + (osConstants.signals[signal] ?? 0) : EXIT.fatal));
    }),
  );
}

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
  // Whatever a command prints goes without the secrets this process knows, by value (src/privacy/).
  const shown: CommandIo = { ...io, stdout: withoutSecrets(io.stdout), stderr: withoutSecrets(io.stderr) };
  try {
    const handler = await load();
    return await handler(args, shown);
  } catch (error) {
    const code = isSyncError(error) ? error.code : 'INTERNAL';
    const message = isSyncError(error) ? error.message : ((error as Error).stack ?? String(error));
    // The error line is a log line: an API's echo in the message is redacted like in any other.
    io.stderr.write(redactText(`loyalty-sync ${command}: ${code}: ${message}\n`));
    return exitCodeOf(error);
  }
}

function withoutSecrets(stream: CommandIo['stdout']): CommandIo['stdout'] {
  return { write: (text: string) => stream.write(removeSecrets(text)) };
}

if (import.meta.main) {
  // `loyalty-sync status | head -1`: a reader that stops early is not an error of ours; the rest is dropped.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
  process.exitCode = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env });
}
