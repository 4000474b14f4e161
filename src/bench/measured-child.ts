// Runs one command of the benchmark as a child process and measures it the same way every time: wall
// time from spawn to exit (taken in the parent), CPU time, peak RSS and a memory curve (written by
// peak-rss-preload.ts as the child exits), and the machine's load around it (a shared machine is noisy).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PRELOAD = fileURLToPath(new URL('./peak-rss-preload.ts', import.meta.url));
const STDERR_TAIL_CHARS = 16 * 1024;

/** One memory sample: [s since start, RSS, V8 heap total, V8 heap used, external], in MB. */
export type MemorySample = [number, number, number, number, number];

export interface MeasuredChild {
  wallMs: number;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Undefined when the child died before its exit handler ran (e.g. SIGKILL). */
  peakRssMb?: number;
  /** User + system CPU time of the child (all its threads). */
  cpuMs?: number;
  /** Sampled once a second by the child itself. */
  memory: MemorySample[];
  /** 1-minute load average of the machine before and after. */
  load: [number, number];
  stdout: string;
  stderrTail: string;
}

export interface MeasureOptions {
  /** The child's whole environment (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** Extra node flags, e.g. `--cpu-prof`. */
  nodeFlags?: readonly string[];
  /** Called with each complete stdout line as it arrives. */
  onLine?: (line: string) => void;
  /** Called once the child is spawned (to signal it later). */
  onSpawn?: (child: ChildProcess) => void;
}

/** Runs `node <script> <args>` (the Node running the benchmark) and measures it. */
export async function runMeasured(script: string, args: readonly string[], options: MeasureOptions = {}): Promise<MeasuredChild> {
  const scratch = mkdtempSync(join(tmpdir(), 'loyalty-sync-bench-'));
  const usageFile = join(scratch, 'usage.json');
  const env = { ...(options.env ?? process.env), LOYALTY_SYNC_BENCH_RSS_FILE: usageFile };
  const loadBefore = loadavg()[0]!;
  try {
    const started = performance.now();
    const child = spawn(process.execPath, ['--import', PRELOAD, ...(options.nodeFlags ?? []), script, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    options.onSpawn?.(child);
    let stdout = '';
    let partial = '';
    let stderrTail = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (!options.onLine) return;
      const lines = (partial + chunk).split('\n');
      partial = lines.pop()!;
      for (const line of lines) options.onLine(line);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderrTail = (stderrTail + chunk).slice(-STDERR_TAIL_CHARS);
    });
    const { exitCode, signal, wallMs } = await new Promise<{ exitCode: number | null; signal: NodeJS.Signals | null; wallMs: number }>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code, sig) => resolve({ exitCode: code, signal: sig, wallMs: performance.now() - started }));
    });
    // 'exit' can come before the pipes are drained.
    await Promise.all([streamEnd(child.stdout), streamEnd(child.stderr)]);
    const usage = readUsage(usageFile);
    return {
      wallMs: Math.round(wallMs),
      exitCode,
      signal,
      ...(usage && { peakRssMb: Math.round(usage.maxRssKb / 1024), cpuMs: Math.round(usage.userCpuMs + usage.systemCpuMs) }),
      memory: usage?.samples ?? [],
      load: [round2(loadBefore), round2(loadavg()[0]!)],
      stdout,
      stderrTail,
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function streamEnd(stream: NodeJS.ReadableStream): Promise<void> {
  return new Promise((resolve) => {
    if ((stream as { readableEnded?: boolean }).readableEnded) resolve();
    else stream.once('end', () => resolve()).once('close', () => resolve());
  });
}

function readUsage(path: string): { maxRssKb: number; userCpuMs: number; systemCpuMs: number; samples: MemorySample[] } | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as { maxRssKb: number; userCpuMs: number; systemCpuMs: number; samples: MemorySample[] };
  } catch {
    return undefined;
  }
}

const round2 = (value: number) => Math.round(value * 100) / 100;
