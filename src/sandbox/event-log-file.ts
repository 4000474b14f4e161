// File-backed sandbox state: an append-only JSONL log of accepted events, replayed on start, so the
// sandbox's memory survives a restart of its process (e.g. a test that kills and restarts it).
//
// Format (UTF-8, one JSON value per line, each line ends with "\n"):
//   line 1:  {"format":"loyalty-sync-sandbox-events","version":1}
//   line 2+: {"receivedAt":"<ISO 8601>","merchantSerialNumber":"<its header>","event":<the accepted request body as parsed JSON>}
//            (a line without "merchantSerialNumber", written before the sandbox kept merchants apart, is
//            replayed as a request without one)
// Only newly accepted events are logged; duplicates and refused requests are not. The body is the
// dedup body too: replay re-validates it, recomputes its digest and re-applies it in file order, so
// members, dedup memory, recorded events and the derived counters (accepted, byAction, anomalies) come
// back; per-process counters (requests, byStatus, duplicates, faults) start at zero.
//
// Crash safety: each line is written with one synchronous write() before the 200 is sent, so an
// answered event is in the page cache and survives the process being killed (not a power cut: no
// fsync, this is a test tool). A kill during a write can leave a torn last line without "\n"; it was
// never answered, so replay drops it and cuts it off the file. A bad line anywhere else is corruption.
import { closeSync, existsSync, ftruncateSync, openSync, readSync, truncateSync, writeSync } from 'node:fs';
import { StateError } from '../errors.ts';

const HEADER = { format: 'loyalty-sync-sandbox-events', version: 1 } as const;
const NEWLINE = 0x0a;
const CHUNK_BYTES = 1 << 20;

export interface LoggedEvent {
  receivedAt: string;
  /** '' when the line names none. */
  merchantSerialNumber: string;
  event: unknown;
  /** 1-based line in the file, for error messages. */
  line: number;
}

export class EventLogFile {
  readonly path: string;
  #fd: number | undefined;

  private constructor(path: string, fd: number) {
    this.path = path;
    this.#fd = fd;
  }

  /** Opens (or creates) the log and returns its events; StateError if it is not a sandbox log. */
  static open(path: string): { log: EventLogFile; entries: LoggedEvent[] } {
    const entries = existsSync(path) ? readEntries(path) : [];
    const log = new EventLogFile(path, openSync(path, 'a'));
    if (entries.length === 0 && isEmptyLog(path)) log.#write(HEADER);
    return { log, entries };
  }

  /** Appends one accepted event; throws if the write fails, so the caller answers 5xx and applies nothing. */
  append(receivedAt: string, merchantSerialNumber: string, event: unknown): void {
    this.#write({ receivedAt, merchantSerialNumber, event });
  }

  /** Empties the log (POST /_sandbox/reset). */
  truncate(): void {
    ftruncateSync(this.#requireFd(), 0);
    this.#write(HEADER);
  }

  close(): void {
    if (this.#fd === undefined) return;
    closeSync(this.#fd);
    this.#fd = undefined;
  }

  #write(value: unknown): void {
    // O_APPEND: every write lands at the current end, also right after a truncate.
    writeSync(this.#requireFd(), `${JSON.stringify(value)}\n`);
  }

  #requireFd(): number {
    if (this.#fd === undefined) throw new Error(`sandbox state file ${this.path} is closed`);
    return this.#fd;
  }
}

function isEmptyLog(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    return readSync(fd, Buffer.alloc(1), 0, 1, 0) === 0;
  } finally {
    closeSync(fd);
  }
}

function readEntries(path: string): LoggedEvent[] {
  const entries: LoggedEvent[] = [];
  let goodBytes = 0;
  let lineNumber = 0;
  for (const { text, complete, endOffset } of readLines(path)) {
    lineNumber += 1;
    const value = complete ? parseLine(text) : undefined;
    if (value === undefined) {
      if (!complete) break; // torn tail of a killed write: dropped below
      throw corrupt(path, lineNumber, 'not valid JSON');
    }
    if (lineNumber === 1) checkHeader(path, value);
    else entries.push(toEntry(path, lineNumber, value));
    goodBytes = endOffset;
  }
  if (lineNumber === 0) return entries;
  truncateSync(path, goodBytes);
  return entries;
}

function parseLine(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function checkHeader(path: string, value: unknown): void {
  const header = value as { format?: unknown; version?: unknown } | null;
  if (header?.format !== HEADER.format) {
    throw new StateError('STATE_CORRUPT', `${path}:1: expected a loyalty-sync sandbox state file, found another file; refusing to overwrite it`);
  }
  if (typeof header.version !== 'number' || header.version > HEADER.version) {
    throw new StateError('STATE_TOO_NEW', `${path}:1: expected sandbox state format version ${HEADER.version}, found ${String(header.version)}`);
  }
}

function toEntry(path: string, line: number, value: unknown): LoggedEvent {
  const entry = value as { receivedAt?: unknown; merchantSerialNumber?: unknown; event?: unknown } | null;
  if (typeof entry?.receivedAt !== 'string' || entry.event === undefined || (entry.merchantSerialNumber !== undefined && typeof entry.merchantSerialNumber !== 'string')) {
    throw corrupt(path, line, 'expected {"receivedAt": "<ISO 8601>", "merchantSerialNumber": "…", "event": {…}}');
  }
  return { receivedAt: entry.receivedAt, merchantSerialNumber: (entry.merchantSerialNumber as string | undefined) ?? '', event: entry.event, line };
}

export function corrupt(path: string, line: number, message: string): StateError {
  return new StateError('STATE_CORRUPT', `${path}:${line}: sandbox state file is corrupt: ${message}`);
}

/** Lines of a file read in chunks (a log can outgrow a single string); splitting on the "\n" byte is
 * safe in UTF-8. `complete` is false for a last line without "\n". */
function* readLines(path: string): Generator<{ text: string; complete: boolean; endOffset: number }> {
  const fd = openSync(path, 'r');
  try {
    const chunk = Buffer.alloc(CHUNK_BYTES);
    let pending = Buffer.alloc(0);
    let offset = 0; // file offset of pending[0]
    for (;;) {
      const read = readSync(fd, chunk, 0, CHUNK_BYTES, null);
      if (read === 0) break;
      pending = Buffer.concat([pending, chunk.subarray(0, read)]);
      let start = 0;
      for (let end = pending.indexOf(NEWLINE); end !== -1; end = pending.indexOf(NEWLINE, start)) {
        yield { text: pending.toString('utf8', start, end), complete: true, endOffset: offset + end + 1 };
        start = end + 1;
      }
      offset += start;
      pending = pending.subarray(start);
    }
    if (pending.length > 0) yield { text: pending.toString('utf8'), complete: false, endOffset: offset + pending.length };
  } finally {
    closeSync(fd);
  }
}
