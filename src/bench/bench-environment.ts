// What the figures were measured on: the machine and the code (HEAD, and how far the working tree was
// from it), since a ratio from one machine or commit says little about another.
import { execFileSync } from 'node:child_process';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { BenchResults } from './bench-results.ts';
import { round2 } from './figure-format.ts';

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

// Taken as the benchmark loads, before its first child: a machine already busy slows every figure down.
const loadAverageAtStart = loadavg().map(round2);

export function machineOf(): BenchResults['machine'] {
  return {
    cpus: availableParallelism(),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    totalMemoryMb: Math.round(totalmem() / 2 ** 20),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    loadAverageAtStart,
  };
}

export function codeUnderTest(): BenchResults['code'] {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: PROJECT_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    const changed = git('status', '--porcelain', '--untracked-files=no').split('\n').filter((line) => line.trim() !== '').length;
    return { commit: git('rev-parse', 'HEAD').trim(), changedFiles: changed };
  } catch {
    return { commit: null, changedFiles: null };
  }
}
