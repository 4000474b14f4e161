// vitest settings for `npm test` (`vitest run --config test/vitest.config.ts`). Many tests wait on child processes, sockets and SQLite rather than the
// CPU, so more files run at once than the machine has cores; the timeouts are deadlines for a hung test
// on a loaded 2-core machine, never a measure of speed (speed lives in `npm run bench`).
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import SlowFilesFirst from './fixtures/slow-files-first.ts';

export default defineConfig({
  // The project's root, not this folder: test paths and reports are relative to it.
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    // Files share their worker (and its loaded modules) instead of one fresh process each: ~0.7 s saved per
    // file. Safe because no test stubs modules, globals or env for the files after it (fake timers are
    // reset after each test that uses them).
    isolate: false,
    maxWorkers: Math.max(2, availableParallelism() + 1),
    testTimeout: 300_000,
    hookTimeout: 300_000,
    teardownTimeout: 30_000,
    sequence: { sequencer: SlowFilesFirst },
    reporters: ['default', './test/fixtures/skipped-tests-reporter.ts'],
  },
});
