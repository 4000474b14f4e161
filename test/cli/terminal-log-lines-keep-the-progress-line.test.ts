// On a terminal, a run's log lines are readable text and never tear the progress line: the real CLI runs in a
// pseudo-terminal (util-linux `script`, as a person's terminal would run it), and what it wrote is replayed
// the way a terminal draws it. Off a terminal the same run logs JSON lines (see explain-and-progress.test.ts).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, childEnv } from '../fixtures/cli.ts';
import { SAMPLES, sandboxForTest } from '../fixtures/sync.ts';
import { tempDir } from '../fixtures/temp.ts';

const SCRIPT = '/usr/bin/script';
const REFUSED = ['M-10010', 'M-10020', 'M-10030'];
const LOG_LINE = /^\[\d\d:\d\d:\d\d\] (TRACE|DEBUG|INFO|WARN|ERROR|FATAL): /;

/** Runs `args` through the CLI in a pseudo-terminal; resolves with the exit code and everything the terminal received. */
function runInTerminal(args: string[], env: Record<string, string>, dir: string): Promise<{ code: number | null; raw: string }> {
  if (!existsSync(SCRIPT)) throw new Error(`${SCRIPT} (util-linux) is needed to run the CLI in a pseudo-terminal`);
  const quote = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;
  const command = [process.execPath, CLI, ...args].map(quote).join(' ');
  const typescript = join(dir, 'terminal.txt');
  return new Promise((resolve, reject) => {
    // -q: no banner on stdout; -e: the command's exit code; -c: the command; the file gets what the terminal got.
    const child = spawn(SCRIPT, ['-q', '-e', '-c', command, typescript], { env: childEnv(env), stdio: ['ignore', 'ignore', 'pipe'] });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, raw: readFileSync(typescript, 'utf8') }));
  });
}

/** The lines a terminal shows after drawing `raw`: CR returns to the line's start, ESC[2K erases it, other escapes change no text. */
function screenLines(raw: string): string[] {
  const lines: string[] = [];
  let line: string[] = [];
  let column = 0;
  for (let i = 0; i < raw.length; i++) {
    const escape = /^\x1b\[([0-9;?]*)([A-Za-z])/.exec(raw.slice(i, i + 16));
    if (escape) {
      if (escape[2] === 'K' && escape[1] === '2') line = [];
      i += escape[0].length - 1;
      continue;
    }
    const char = raw[i]!;
    if (char === '\n') {
      lines.push(line.join(''));
      line = [];
      column = 0;
    } else if (char === '\r') column = 0;
    else line[column++] = char;
  }
  if (line.length > 0) lines.push(line.join(''));
  return lines.filter((text) => !/^Script (started|done) on /.test(text));
}

describe('a run on a terminal', () => {
  it('writes readable log lines above the progress line, which is drawn again below them and cleared at the end', async () => {
    const sandbox = await sandboxForTest({ faults: { latencyMs: 20, failContactIds: REFUSED } });
    const dir = tempDir();
    const { code, raw } = await runInTerminal(
      ['run', '--source', join(SAMPLES, 'night-1'), '--state', join(dir, 's.sqlite'), '--report-dir', join(dir, 'reports'), '--api-url', sandbox.url, '--concurrency', '2'],
      { VIPPS_CLIENT_ID: 'c', VIPPS_CLIENT_SECRET: 's', VIPPS_SUBSCRIPTION_KEY: 'k', VIPPS_MERCHANT_SERIAL_NUMBER: '1', NO_COLOR: '1' },
      dir,
    );
    expect(code, raw).toBe(3);
    // The progress line was drawn in place while sending, and drawn again after each log line that came meanwhile.
    expect(raw).toMatch(/\r\x1b\[2Ksending \d+\/60 members/);
    expect(raw).toMatch(/WARN: deliver: member not delivered [^\n]*\n(\r)?sending \d+\/60 members/);

    const screen = screenLines(raw).filter((text) => text.trim() !== '');
    // No JSON on a terminal, and every log line whole, starting its own line: nothing drawn before it on that line.
    expect(screen.filter((text) => text.includes('"level":'))).toEqual([]);
    expect(screen.filter((text) => /\[\d\d:\d\d:\d\d\] [A-Z]+: /.test(text) && !LOG_LINE.test(text))).toEqual([]);
    for (const contactId of REFUSED) {
      expect(screen.filter((text) => LOG_LINE.test(text) && text.includes('WARN: deliver: member not delivered') && text.includes(`"contactId":"${contactId}"`))).toHaveLength(1);
    }
    // What stays on the screen: log lines, then the summary and the report's path; no progress line is left.
    const logs = screen.filter((text) => LOG_LINE.test(text));
    expect(logs.length).toBeGreaterThanOrEqual(REFUSED.length + 3);
    expect(screen.slice(logs.length)).toEqual([expect.stringMatching(/^loyalty-sync \S+: partial · 60 members \(57 new, .*3 failed/), expect.stringMatching(/^ {2}readable report: /)]);
    expect(screen.slice(0, logs.length)).toEqual(logs);
  });
});
