// The progress numbers, on a clock the test turns: the ingest rate counts the whole export while several
// files are read at once (their events interleave), a terminal gets one status line redrawn at most every
// 200 ms, and off a terminal exactly one log line per interval (never two for one moment).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../src/log.ts';
import { createProgress } from '../../src/report/progress.ts';
import { terminalLine } from '../../src/report/terminal-line.ts';

const CLEAR = '\r\x1b[2K';

afterEach(() => {
  vi.useRealTimers();
});

describe('progress on a terminal', () => {
  it('redraws one status line: files in progress, rows, MB and MB/s of the whole export, then members, events, rate, failures and ETA', () => {
    let clock = 0;
    const written: string[] = [];
    const terminal = terminalLine({ write: (text: string) => written.push(text), columns: 200 });
    const progress = createProgress({ logger: createLogger({ level: 'silent' }), intervalMs: 30_000, terminal, now: () => clock });
    clock = 1000;
    progress.ingest({ file: 'members.csv', rows: 10, bytes: 1_000_000, totalBytes: 4_000_000 });
    clock = 1100; // within 200 ms of the last redraw: counted, not drawn
    progress.ingest({ file: 'coupons.csv', rows: 5, bytes: 500_000, totalBytes: 10_000_000 });
    clock = 3000;
    progress.ingest({ file: 'members.csv', rows: 50_000, bytes: 2_000_000, totalBytes: 4_000_000 });
    clock = 4000;
    progress.deliver({ membersDone: 1, membersTotal: 100, eventsAccepted: 2, failed: 0 });
    clock = 6000;
    progress.deliver({ membersDone: 51, membersTotal: 100, eventsAccepted: 122, failed: 1 });
    clock = 7000;
    progress.deliver({ membersDone: 61, membersTotal: 100, eventsAccepted: 150, failed: 1, concurrency: { limit: 24, inFlight: 23 } });
    progress.stop();
    expect(written).toEqual([
      `${CLEAR}reading members.csv 25% · 10 rows · 1 MB · 0 MB/s`,
      // 2 MB + 0.5 MB read; 1.5 MB of it in the 2 s since the first event.
      `${CLEAR}reading members.csv 50%, coupons.csv 5% · 50005 rows · 2.5 MB · 0.8 MB/s`,
      `${CLEAR}sending 1/100 members · 2 events · 0/s · 0 failed · ETA ?`,
      `${CLEAR}sending 51/100 members · 122 events · 60/s · 1 failed · ETA 0:00:02`,
      // The concurrency limit in force (what auto mode found) and how many members are in flight now.
      `${CLEAR}sending 61/100 members · 150 events · 49.3/s · 23/24 in parallel · 1 failed · ETA 0:00:02`,
      CLEAR,
    ]);
  });

  it('writes a log line above the status line in one piece, and draws the status line again below it', () => {
    const written: string[] = [];
    const terminal = terminalLine({ write: (text: string) => written.push(text), columns: 40 });
    terminal.print('before any status\n');
    terminal.show('sending 10/100 members · 20 events · 5/s · 0 failed · ETA 0:00:18');
    terminal.print('[02:00:01] WARN: deliver: member not delivered');
    terminal.clear();
    terminal.print('after\n');
    expect(written).toEqual([
      'before any status\n',
      `${CLEAR}sending 10/100 members · 20 events · 5/`,
      `${CLEAR}[02:00:01] WARN: deliver: member not delivered\nsending 10/100 members · 20 events · 5/`,
      CLEAR,
      'after\n',
    ]);
  });
});

describe('progress off a terminal', () => {
  /** Progress logging every second, on a clock the test sets, into `lines`. */
  const offTerminal = () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const at = { clock: 0 };
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(JSON.parse(line)) } });
    return { at, lines, progress: createProgress({ logger, intervalMs: 1000, now: () => at.clock }) };
  };

  it('logs one line per interval with the whole export read so far, however the files interleave', () => {
    const { at, lines, progress } = offTerminal();
    // Two lanes: members and coupons report in turns, 100 ms apart, 1 MB each time.
    let bytes = { 'members.csv': 0, 'coupons.csv': 0 };
    for (let step = 1; step <= 30; step++) {
      at.clock = step * 100;
      const file = step % 2 === 0 ? 'members.csv' : 'coupons.csv';
      bytes = { ...bytes, [file]: bytes[file] + 1_000_000 };
      progress.ingest({ file, rows: bytes[file] / 100, bytes: bytes[file], totalBytes: 20_000_000 });
      if (step % 10 === 0) vi.advanceTimersByTime(1000);
    }
    progress.stop();
    vi.advanceTimersByTime(5000);
    expect(lines.map((line) => line.msg)).toEqual(['progress', 'progress', 'progress']);
    // At 1 s: 10 MB read, 9 MB of it in the 0.9 s since the first event: 10 MB/s, at 2 s and 3 s too.
    expect(lines.map(({ mb, mbPerSec, rows }) => ({ mb, mbPerSec, rows }))).toEqual([
      { mb: 10, mbPerSec: 10, rows: 100_000 },
      { mb: 20, mbPerSec: 10, rows: 200_000 },
      { mb: 30, mbPerSec: 10, rows: 300_000 },
    ]);
    expect(lines[0]).toMatchObject({ stage: 'ingest', files: { 'members.csv': 25, 'coupons.csv': 25 } });
  });

  it('keeps the reading rate once every file is read, while planning follows', () => {
    const { at, lines, progress } = offTerminal();
    progress.ingest({ file: 'members.csv', rows: 1, bytes: 0, totalBytes: 4_000_000 });
    at.clock = 2000;
    progress.ingest({ file: 'members.csv', rows: 40_000, bytes: 4_000_000, totalBytes: 4_000_000 });
    at.clock = 60_000;
    vi.advanceTimersByTime(1000);
    progress.stop();
    expect(lines).toEqual([expect.objectContaining({ stage: 'ingest', mb: 4, mbPerSec: 2, files: {} })]);
  });
});
