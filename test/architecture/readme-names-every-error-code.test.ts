// Scripts branch on error codes: every code the job can raise (src/errors.ts) is in README's table.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('README error codes', () => {
  it('names every code of src/errors.ts', () => {
    const errors = readFileSync(join(ROOT, 'src', 'errors.ts'), 'utf8');
    const union = errors.slice(errors.indexOf('export type ErrorCode'), errors.indexOf(';', errors.indexOf('export type ErrorCode')));
    const codes = [...union.matchAll(/'([A-Z_]+)'/g)].map((match) => match[1]!);
    expect(codes.length).toBeGreaterThan(20);
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const start = readme.indexOf('| code | what happened | exit |');
    const table = readme.slice(start, readme.indexOf('\n\n', start));
    for (const code of [...codes, 'INTERNAL']) expect(table, code).toContain(`\`${code}\``);
  });
});
