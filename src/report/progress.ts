// Progress while a run works. On a terminal: one line redrawn in place. Off a terminal (cron,
// Kubernetes): one structured log line every `intervalMs`, with the same numbers.
import type { IngestProgress } from '../ingest/ingest-export.ts';
import type { Logger } from '../log.ts';

export interface DeliveryProgress {
  membersDone: number;
  membersTotal: number;
  eventsAccepted: number;
  failed: number;
}

export interface Progress {
  ingest(progress: IngestProgress): void;
  deliver(progress: DeliveryProgress): void;
  /** Clears the terminal line / stops the timer. */
  stop(): void;
}

export interface ProgressOptions {
  logger: Logger;
  /** A terminal stream (stderr) to redraw, or undefined off a terminal. */
  terminal?: { write(text: string): unknown; columns?: number };
  intervalMs: number;
  now?: () => number;
}

const REDRAW_MS = 200;

export function createProgress(options: ProgressOptions): Progress {
  const now = options.now ?? Date.now;
  let stage: { name: 'ingest'; at: IngestProgress; since: number } | { name: 'deliver'; at: DeliveryProgress; since: number } | undefined;
  let lastOutput = 0;

  const describe = (): Record<string, unknown> | undefined => {
    if (!stage) return undefined;
    const seconds = Math.max((now() - stage.since) / 1000, 0.001);
    if (stage.name === 'ingest') {
      const { file, rows, bytes, totalBytes } = stage.at;
      return { stage: 'ingest', file, rows, percent: totalBytes ? Math.round((bytes / totalBytes) * 100) : 100, mbPerSec: round(bytes / 1e6 / seconds) };
    }
    const { membersDone, membersTotal, eventsAccepted, failed } = stage.at;
    const rate = membersDone / seconds;
    const etaSeconds = rate > 0 ? Math.round((membersTotal - membersDone) / rate) : undefined;
    return { stage: 'deliver', members: membersDone, membersTotal, eventsAccepted, eventsPerSec: round(eventsAccepted / seconds), failed, etaSeconds };
  };

  const output = (force = false) => {
    if (!force && now() - lastOutput < (options.terminal ? REDRAW_MS : options.intervalMs)) return;
    lastOutput = now();
    const numbers = describe();
    if (!numbers) return;
    if (!options.terminal) {
      options.logger.info(numbers, 'progress');
      return;
    }
    const line = numbers.stage === 'ingest' ? `ingest ${numbers.file}: ${numbers.rows} rows (${numbers.percent}%) · ${numbers.mbPerSec} MB/s` : `deliver: ${numbers.members}/${numbers.membersTotal} members · ${numbers.eventsAccepted} events · ${numbers.eventsPerSec}/s · ETA ${formatSeconds(numbers.etaSeconds as number | undefined)} · ${numbers.failed} failed`;
    options.terminal.write(`\r\x1b[2K${line.slice(0, (options.terminal.columns ?? 120) - 1)}`);
  };

  // Off a terminal a slow stretch (e.g. a long retry wait) still gets its periodic line.
  const timer = options.terminal ? undefined : setInterval(() => output(true), options.intervalMs);
  timer?.unref();

  return {
    ingest(at) {
      if (stage?.name !== 'ingest' || stage.at.file !== at.file) stage = { name: 'ingest', at, since: now() };
      else stage.at = at;
      output();
    },
    deliver(at) {
      if (stage?.name !== 'deliver') stage = { name: 'deliver', at, since: now() };
      else stage.at = at;
      output();
    },
    stop() {
      if (timer) clearInterval(timer);
      options.terminal?.write('\r\x1b[2K');
      stage = undefined;
    },
  };
}

const round = (value: number) => Math.round(value * 10) / 10;

function formatSeconds(seconds: number | undefined): string {
  if (seconds === undefined) return '?';
  const minutes = Math.floor(seconds / 60);
  return `${Math.floor(minutes / 60)}:${String(minutes % 60).padStart(2, '0')}:${String(seconds % 60).padStart(2, '0')}`;
}
