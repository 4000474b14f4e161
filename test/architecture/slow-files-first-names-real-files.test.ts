// The sequencer's list of slow files (test/fixtures/slow-files-first.ts) names files that exist: a renamed
// file would silently go back to starting last on a fresh clone.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { SLOW_FILES } from '../fixtures/slow-files-first.ts';

it('every slow file the sequencer starts first exists', () => {
  const missing = SLOW_FILES.filter((file) => !existsSync(fileURLToPath(new URL(`../${file}`, import.meta.url))));
  expect(missing).toEqual([]);
});
