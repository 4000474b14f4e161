import { parseArgs } from 'node:util';
import { didYouMean } from '../base/closest-name.ts';
import { CONFIG_OPTION, type OptionSpec } from '../config/options.ts';
import { UsageError } from '../errors.ts';

export type Flags = Record<string, string | boolean | undefined>;

/** Parses `args` strictly against `specs` (+ --config, --help); unknown flags are usage errors naming the closest known flag. */
export function parseFlags(args: readonly string[], specs: readonly OptionSpec[], allowPositionals = false): { flags: Flags; positionals: string[] } {
  const options = Object.fromEntries([CONFIG_OPTION, ...specs].map((spec) => [spec.flag, { type: spec.type }]));
  try {
    const { values, positionals } = parseArgs({ args: [...args], options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals, strict: true });
    return { flags: values as Flags, positionals };
  } catch (error) {
    const unknown = /^Unknown option '(-{1,2})([^']+)'/.exec((error as Error).message);
    if ((error as NodeJS.ErrnoException).code !== 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || !unknown) throw new UsageError((error as Error).message);
    const known = [CONFIG_OPTION, ...specs].map((spec) => spec.flag);
    throw new UsageError(`Unknown option '${unknown[1]}${unknown[2]}'${didYouMean(unknown[2]!, known, (flag) => `--${flag}`)}; --help lists every option`);
  }
}
