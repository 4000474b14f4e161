// Defaults live in the config schemas and nowhere else: every command's help takes them from its schema,
// and no option's own help text carries one written by hand.
import { describe, expect, it } from 'vitest';
import { EXPLAIN_COMMAND, FORGET_COMMAND, optionsHelp, RUN_COMMAND, SCHEDULE_COMMAND, STATUS_COMMAND, VALIDATE_COMMAND, type CommandOptions } from '../../src/config/options.ts';
import { runCli } from '../fixtures/cli.ts';

const COMMANDS: Record<string, CommandOptions> = { run: RUN_COMMAND, schedule: SCHEDULE_COMMAND, validate: VALIDATE_COMMAND, status: STATUS_COMMAND, explain: EXPLAIN_COMMAND, forget: FORGET_COMMAND };

describe('option help', () => {
  it('writes no default by hand', () => {
    for (const [name, command] of Object.entries(COMMANDS)) {
      for (const spec of command.options) expect(spec.help, `${name} --${spec.flag}`).not.toMatch(/\(default\b|\bdefault:/);
    }
  });

  it('shows the defaults the run schema parses an empty configuration to', () => {
    const parsed = RUN_COMMAND.schema.parse({ source: 'x' }) as Record<string, unknown>;
    const help = optionsHelp(RUN_COMMAND);
    const line = (flag: string) => help.split('\n').find((candidate) => candidate.trimStart().startsWith(`--${flag} `))!;
    for (const [flag, key] of [['concurrency', 'concurrency'], ['state', 'state'], ['max-delete-percent', 'maxDeletePercent'], ['state-backups', 'stateBackups'], ['history-days', 'historyDays']] as const) {
      expect(line(flag), flag).toContain(`default ${String(parsed[key])}`);
    }
    expect(line('delimiter')).toContain('default auto');
    expect(line('state-backups')).toMatch(/\(default 3; 0 = none\)$/);
    expect(line('dry-run')).not.toContain('default');
  });

  it('is what every command prints for --help', async () => {
    for (const [name, command] of Object.entries(COMMANDS)) {
      const result = await runCli([name, '--help']);
      expect(result.code, name).toBe(0);
      for (const row of optionsHelp(command).split('\n')) expect(result.stdout, `${name}: ${row}`).toContain(row);
    }
  });
});
