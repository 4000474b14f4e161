// README's Guarantees are the product's promise, each held by named tests: every test file named there
// exists, and every quoted test name is a test in that file, so a promise cannot lose its test silently.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function guaranteeRows(): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Guarantees'), readme.indexOf('\n## ', readme.indexOf('## Guarantees') + 1));
  return section.split('\n').filter((line) => line.startsWith('| **'));
}

describe('README Guarantees', () => {
  it('names for every promise test files that exist, and quoted tests that are in them', () => {
    const rows = guaranteeRows();
    expect(rows.length).toBeGreaterThan(8);
    for (const row of rows) {
      const heldBy = row.split(' | ').at(-1)!;
      // `file.test.ts` followed by the quoted names of its tests, until the next file.
      const parts = heldBy.split(/`([\w/-]+\.test\.ts)`/);
      expect(parts.length, row).toBeGreaterThan(1);
      for (let index = 1; index < parts.length; index += 2) {
        const file = join(ROOT, 'test', parts[index]!);
        expect(existsSync(file), parts[index]).toBe(true);
        const source = readFileSync(file, 'utf8');
        for (const [, quoted] of parts[index + 1]!.matchAll(/"((?:[^"]|"(?=[^|;]*"))*?)"(?= and |;|$| \()/g)) {
          // A name may be shortened with "…": the part before it must be in a test's name.
          const known = quoted!.split('…')[0]!.trim().replace(/^"|"$/g, '');
          expect(source, `${parts[index]}: "${known}"`).toContain(known.split('"')[0]!);
        }
      }
    }
  });
});
