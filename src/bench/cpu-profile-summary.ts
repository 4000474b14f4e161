// Where a profiled run spent its CPU: self time per function and per module from V8 .cpuprofile files
// (`node --cpu-prof` writes one per thread: the main thread and each worker).
// `node src/bench/cpu-profile-summary.ts [--top N] <file.cpuprofile>...` prints JSON: one summary per
// file and one of them all together. Run as a child by the benchmark, so large profiles are parsed
// outside the benchmark's own process.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTime {
  name: string;
  ms: number;
  percent: number;
}

export interface ProfileSummary {
  totalMs: number;
  functions: SelfTime[];
  modules: SelfTime[];
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Self time of every function and module over one or more profiles (e.g. all threads of a run). */
export function summariseProfiles(profiles: readonly CpuProfile[], top = 25): ProfileSummary {
  const functions = new Map<string, number>();
  const modules = new Map<string, number>();
  let total = 0;
  for (const profile of profiles) {
    const byNode = new Map<number, ProfileNode>(profile.nodes.map((node) => [node.id, node]));
    const selfMicros = new Map<number, number>();
    profile.samples.forEach((nodeId, index) => {
      const delta = Math.max(0, profile.timeDeltas[index] ?? 0);
      selfMicros.set(nodeId, (selfMicros.get(nodeId) ?? 0) + delta);
      total += delta;
    });
    for (const [nodeId, micros] of selfMicros) {
      const frame = byNode.get(nodeId)!.callFrame;
      const module = moduleOf(frame.url, frame.functionName);
      const name = `${frame.functionName || '(anonymous)'} ${module}${frame.url ? `:${frame.lineNumber + 1}` : ''}`;
      functions.set(name, (functions.get(name) ?? 0) + micros);
      modules.set(module, (modules.get(module) ?? 0) + micros);
    }
  }
  const ranked = (totals: Map<string, number>) =>
    [...totals]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, micros]) => ({ name, ms: Math.round(micros / 1000), percent: Math.round((micros / Math.max(total, 1)) * 1000) / 10 }));
  return { totalMs: Math.round(total / 1000), functions: ranked(functions), modules: ranked(modules) };
}

/** A package name, a project file, a Node.js internal area, or a V8 pseudo-frame (GC, native code). */
function moduleOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const packageMatch = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (packageMatch) return packageMatch[1]!;
  if (url.startsWith('node:')) return url.split('/').slice(0, 2).join('/');
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  return path.startsWith(ROOT) ? path.slice(ROOT.length) : path;
}

export interface ProfilesSummary {
  /** Each file (one per thread) on its own. */
  threads: { file: string; summary: ProfileSummary }[];
  /** All threads together: the CPU time of the whole process. */
  combined: ProfileSummary;
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  let top = 25;
  if (args[0] === '--top') {
    top = Number(args[1]);
    args.splice(0, 2);
  }
  if (args.length === 0 || !Number.isInteger(top) || top < 1) {
    process.stderr.write('usage: node src/bench/cpu-profile-summary.ts [--top N] <file.cpuprofile>...\n');
    process.exitCode = 2;
  } else {
    const profiles = args.map((file) => JSON.parse(readFileSync(file, 'utf8')) as CpuProfile);
    const result: ProfilesSummary = {
      threads: profiles.map((profile, index) => ({ file: args[index]!, summary: summariseProfiles([profile], top) })),
      combined: summariseProfiles(profiles, top),
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  }
}
