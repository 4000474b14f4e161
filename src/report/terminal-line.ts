// The bottom line of a terminal, kept for a status (the progress line) while other lines (logs) scroll
// above it. A log line is written as one piece: clear the status, the log line, the status again, so a
// log line never lands in the middle of the progress line, and the progress line is always the last.

export interface TerminalStream {
  write(text: string): unknown;
  columns?: number;
}

export interface TerminalLine {
  /** Draws `text` as the status line, in place of the previous one (cut to the terminal's width). */
  show(text: string): void;
  /** Writes a whole line above the status line. */
  print(line: string): void;
  /** Removes the status line. */
  clear(): void;
}

const CLEAR_LINE = '\r\x1b[2K';

export function terminalLine(stream: TerminalStream): TerminalLine {
  let status = '';
  return {
    show(text) {
      status = text.slice(0, (stream.columns || 120) - 1);
      stream.write(`${CLEAR_LINE}${status}`);
    },
    print(line) {
      stream.write(`${status ? CLEAR_LINE : ''}${line.endsWith('\n') ? line : `${line}\n`}${status}`);
    },
    clear() {
      if (status) stream.write(CLEAR_LINE);
      status = '';
    },
  };
}
