// Progress while a run works. On a terminal: one status line, redrawn in place at most every 200 ms, below
// the log lines (terminal-line.ts). Off a terminal (cron, Kubernetes): one structured log line every
// `intervalMs`, with the same numbers, and only then.
//
// Ingest reads several files at once (one per lane), so progress events of different files interleave:
// the numbers are for the whole export since reading began, and each file in progress shows its share.
import type { IngestProgress } from '../base/export-shapes.ts';
import type { Logger } from '../log.ts';
import type { TerminalLine } from './terminal-line.ts';

export interface DeliveryProgress {
  membersDone: number;
  membersTotal: number;
  eventsAccepted: number;
  failed: number;
  /** Members sent in parallel at most (fixed, or what --concurrency auto found) and now. */
  concurrency?: { limit: number; inFlight: number };
}

export interface Progress {
  ingest(progress: IngestProgress): void;
  deliver(progress: DeliveryProgress): void;
  /** Clears the terminal line / stops the timer. */
  stop(): void;
}

export interface ProgressOptions {
  logger: Logger;
  /** The terminal's status line, or undefined off a terminal. */
  terminal?: TerminalLine;
  intervalMs: number;
  now?: () => number;
}

const REDRAW_MS = 200;

interface IngestNumbers {
  stage: 'ingest';
  rows: number;
  /** Megabytes (10^6 bytes) read so far, of all files. */
  mb: number;
  mbPerSec: number;
  /** Percent read of each file being read. */
  files: Record<string, number>;
}

interface DeliverNumbers {
  stage: 'deliver';
  members: number;
  membersTotal: number;
  eventsAccepted: number;
  eventsPerSec: number;
  failed: number;
  etaSeconds?: number;
  concurrencyLimit?: number;
  inFlight?: number;
}

export function createProgress(options: ProgressOptions): Progress {
  const now = options.now ?? Date.now;
  const { terminal } = options;
  // Rates count from the first progress event: the bytes it reports were read before it, in no known time.
  let ingest: { since: number; lastAt: number; bytesBefore: number; files: Map<string, IngestProgress> } | undefined;
  let delivery: { since: number; eventsBefore: number; membersBefore: number; at: DeliveryProgress } | undefined;
  let lastDrawn = Number.NEGATIVE_INFINITY;

  const describe = (): IngestNumbers | DeliverNumbers | undefined => {
    if (delivery) {
      const { membersDone, membersTotal, eventsAccepted, failed, concurrency } = delivery.at;
      const seconds = (now() - delivery.since) / 1000;
      const rate = seconds > 0 ? (membersDone - delivery.membersBefore) / seconds : 0;
      const etaSeconds = rate > 0 ? Math.round((membersTotal - membersDone) / rate) : undefined;
      const eventsPerSec = seconds > 0 ? round((eventsAccepted - delivery.eventsBefore) / seconds) : 0;
      return {
        stage: 'deliver',
        members: membersDone,
        membersTotal,
        eventsAccepted,
        eventsPerSec,
        failed,
        ...(etaSeconds !== undefined && { etaSeconds }),
        ...(concurrency && { concurrencyLimit: concurrency.limit, inFlight: concurrency.inFlight }),
      };
    }
    if (!ingest) return undefined;
    // Up to the last event: once every file is read the rate stays what it was (planning comes next).
    const seconds = (ingest.lastAt - ingest.since) / 1000;
    let rows = 0;
    let bytes = 0;
    const files: Record<string, number> = {};
    for (const [file, at] of ingest.files) {
      rows += at.rows;
      bytes += at.bytes;
      if (at.bytes < at.totalBytes) files[file] = Math.floor((at.bytes / at.totalBytes) * 100);
    }
    return { stage: 'ingest', rows, mb: round(bytes / 1e6), mbPerSec: seconds > 0 ? round((bytes - ingest.bytesBefore) / 1e6 / seconds) : 0, files };
  };

  const draw = () => {
    if (!terminal || now() - lastDrawn < REDRAW_MS) return;
    lastDrawn = now();
    const numbers = describe();
    if (numbers) terminal.show(terminalText(numbers));
  };

  // Off a terminal only the timer writes: one line per interval, also through a slow stretch (a long retry wait).
  const timer = terminal
    ? undefined
    : setInterval(() => {
        const numbers = describe();
        if (numbers) options.logger.info(numbers, 'progress');
      }, options.intervalMs);
  timer?.unref();

  return {
    ingest(at) {
      ingest ??= { since: now(), lastAt: now(), bytesBefore: at.bytes, files: new Map() };
      ingest.lastAt = now();
      ingest.files.set(at.file, at);
      draw();
    },
    deliver(at) {
      // Like ingest: rates count from the first event, whose member was sent before it, in no known time.
      delivery ??= { since: now(), eventsBefore: at.eventsAccepted, membersBefore: at.membersDone, at };
      delivery.at = at;
      draw();
    },
    stop() {
      if (timer) clearInterval(timer);
      terminal?.clear();
      ingest = undefined;
      delivery = undefined;
    },
  };
}

function terminalText(numbers: IngestNumbers | DeliverNumbers): string {
  if (numbers.stage === 'ingest') {
    const files = Object.entries(numbers.files).map(([file, percent]) => `${file} ${percent}%`);
    return `reading ${files.length > 0 ? `${files.join(', ')} · ` : ''}${numbers.rows} rows · ${numbers.mb} MB · ${numbers.mbPerSec} MB/s`;
  }
  const parallel = numbers.concurrencyLimit === undefined ? '' : ` · ${numbers.inFlight}/${numbers.concurrencyLimit} in parallel`;
  return `sending ${numbers.members}/${numbers.membersTotal} members · ${numbers.eventsAccepted} events · ${numbers.eventsPerSec}/s${parallel} · ${numbers.failed} failed · ETA ${formatSeconds(numbers.etaSeconds)}`;
}

const round = (value: number) => Math.round(value * 10) / 10;

function formatSeconds(seconds: number | undefined): string {
  if (seconds === undefined) return '?';
  const minutes = Math.floor(seconds / 60);
  return `${Math.floor(minutes / 60)}:${String(minutes % 60).padStart(2, '0')}:${String(seconds % 60).padStart(2, '0')}`;
}
