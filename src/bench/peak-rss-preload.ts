// Preloaded into every measured child (`node --import <this file> …`): samples the process's memory once
// a second and, on exit, writes the samples and its peak resident set size to the file named by
// LOYALTY_SYNC_BENCH_RSS_FILE.
//
// Why this and not polling /proc/<pid>/status from the parent: getrusage's ru_maxrss (what
// process.resourceUsage().maxRSS reports) is the kernel's own high-water mark for the process, the same
// number as VmHWM, read at the last moment the process runs JavaScript. Polling can miss a short peak
// and races the exit; this cannot. The samples add what /proc cannot tell: how much of the RSS is the V8
// heap and how much is native (SQLite's page caches, Buffers, malloc).
import { writeFileSync } from 'node:fs';

const target = process.env.LOYALTY_SYNC_BENCH_RSS_FILE;
if (target) {
  const started = performance.now();
  const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
  /** [s since start, rss, V8 heap total, V8 heap used, external incl. array buffers] in MB. */
  const samples: [number, number, number, number, number][] = [];
  const sample = () => {
    const usage = process.memoryUsage();
    samples.push([Math.round((performance.now() - started) / 100) / 10, mb(usage.rss), mb(usage.heapTotal), mb(usage.heapUsed), mb(usage.external)]);
  };
  setInterval(sample, 1000).unref();
  process.on('exit', () => {
    sample();
    const usage = process.resourceUsage();
    // maxRSS is in KiB; the CPU times are in microseconds.
    writeFileSync(target, JSON.stringify({ maxRssKb: usage.maxRSS, userCpuMs: usage.userCPUTime / 1000, systemCpuMs: usage.systemCPUTime / 1000, samples }));
  });
}
