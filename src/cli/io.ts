/** What a command talks to; tests hand in their own. */
export interface CommandIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: NodeJS.ProcessEnv;
  /**
   * Where log lines go. Default: the process's stderr (fd 2, written synchronously; made readable when it is
   * a terminal). A test running a command in its own process hands in a sink to read them back.
   */
  log?: { write(line: string): unknown };
}
