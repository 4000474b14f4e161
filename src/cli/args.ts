import { parseArgs } from 'node:util';
import { CONFIG_OPTION, envNameOf, type OptionSpec } from '../config/load.ts';
import { UsageError } from '../errors.ts';

export type Flags = Record<string, string | boolean | undefined>;

/** Parses `args` strictly against `specs` (+ --config, --help); unknown flags are usage errors. */
export function parseFlags(args: readonly string[], specs: readonly OptionSpec[], allowPositionals = false): { flags: Flags; positionals: string[] } {
  const options = Object.fromEntries([CONFIG_OPTION, ...specs].map((spec) => [spec.flag, { type: spec.type }]));
  try {
    const { values, positionals } = parseArgs({ args: [...args], options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals, strict: true });
    return { flags: values as Flags, positionals };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export function optionsHelp(specs: readonly OptionSpec[]): string {
  const rows = [CONFIG_OPTION, ...specs].map((spec) => [`--${spec.flag}${spec.type === 'string' ? ' <value>' : ''}`, envNameOf(spec), spec.help]);
  const width = Math.max(...rows.map((row) => row[0]!.length));
  const envWidth = Math.max(...rows.map((row) => row[1]!.length));
  return rows.map(([flag, env, help]) => `  ${flag!.padEnd(width)}  ${env!.padEnd(envWidth)}  ${help}`).join('\n');
}
