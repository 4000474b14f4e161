// Starts src/bench/sandbox-process.ts as a measured child and hands back its URL; `stop()` sends SIGTERM
// and resolves with the child's measurements (its peak RSS shows what the emulator costs at scale).
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { SandboxFaultsPatch } from '../sandbox/server.ts';
import { runMeasured, type MeasuredChild } from './measured-child.ts';

const SCRIPT = fileURLToPath(new URL('./sandbox-process.ts', import.meta.url));

export interface SandboxChild {
  url: string;
  pid: number;
  stop(): Promise<MeasuredChild>;
}

export async function startSandboxChild(options: { faults?: SandboxFaultsPatch; startTimeoutMs?: number } = {}): Promise<SandboxChild> {
  let child: ChildProcess | undefined;
  let announce: (url: string) => void = () => {};
  const announced = new Promise<string>((resolve) => (announce = resolve));
  const finished = runMeasured(SCRIPT, ['--faults', JSON.stringify(options.faults ?? {})], {
    onSpawn: (spawned) => (child = spawned),
    onLine: (line) => {
      if (line.startsWith('{')) announce((JSON.parse(line) as { url: string }).url);
    },
  });
  const timeout = new Promise<never>((_, reject) => {
    setTimeout(() => reject(new Error('the sandbox process did not announce its URL in time')), options.startTimeoutMs ?? 15_000).unref();
  });
  const exitedEarly = finished.then((result): never => {
    throw new Error(`the sandbox process exited before listening (code ${result.exitCode}): ${result.stderrTail}`);
  });
  let url: string;
  try {
    url = await Promise.race([announced, exitedEarly, timeout]);
  } catch (error) {
    child?.kill('SIGKILL');
    throw error;
  }
  return {
    url,
    pid: child!.pid!,
    stop() {
      child!.kill('SIGTERM');
      return finished;
    },
  };
}
