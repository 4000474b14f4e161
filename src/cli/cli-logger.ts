// The logger of a command. Off a terminal (cron, Kubernetes, a pipe): pino's JSON lines on stderr, for log
// collectors. On a terminal: the same lines made readable by pino-pretty (after pino's redaction, so what
// is hidden stays hidden), written above the progress line, which is drawn again below each of them.
import { createLogger, type Logger } from '../log.ts';
import { terminalLine, type TerminalLine } from '../report/terminal-line.ts';
import type { CommandIo } from './io.ts';

export interface CliLogger {
  logger: Logger;
  /** The terminal's status line, when stderr is a terminal. */
  terminal?: TerminalLine;
}

export async function createCliLogger(level: string, io: Pick<CommandIo, 'env' | 'log'>): Promise<CliLogger> {
  if (io.log) return { logger: createLogger({ level, destination: io.log }) };
  const { stderr } = process;
  if (!stderr.isTTY) return { logger: createLogger({ level }) };
  const terminal = terminalLine(stderr);
  // Loaded only for a terminal: a nightly job never pays for it.
  const { prettyFactory } = await import('pino-pretty');
  const prettify = prettyFactory({
    colorize: !io.env.NO_COLOR,
    translateTime: 'SYS:HH:MM:ss',
    singleLine: true,
    ignore: 'pid,hostname,runId,stage',
    messageFormat: '{if stage}{stage}: {end}{msg}',
  });
  return { logger: createLogger({ level, destination: { write: (line: string) => terminal.print(prettify(line)) } }), terminal };
}
