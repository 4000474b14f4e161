// "Did you mean": the nearest known name by edits over Unicode characters, whatever their normal form, case,
// dashes or underscores; for mapped headers, flags and config keys alike.
import { describe, expect, it } from 'vitest';
import { closestName, didYouMean } from '../../src/base/closest-name.ts';

describe('closest name', () => {
  it('finds a one-letter typo, a missing diacritic and another normal form as close', () => {
    expect(closestName('Niva', ['Kundenr', 'Mobil', 'Nivå', 'Poeng'])).toBe('Nivå');
    expect(closestName('Nivå', ['Niva\u030a', 'Nav'])).toBe('Niva\u030a');
    expect(closestName('phone_numbr', ['contact_id', 'phone_number'])).toBe('phone_number');
    expect(closestName('POENG', ['poeng'])).toBe('poeng');
  });

  it('takes case, dashes and underscores as the same, and a swap of neighbours as one edit', () => {
    expect(closestName('reportdir', ['reportDir', 'state'])).toBe('reportDir');
    expect(closestName('report_dir', ['reportDir', 'state'])).toBe('reportDir');
    expect(closestName('dyrrun', ['dry-run', 'full'])).toBe('dry-run');
    expect(didYouMean('dryrun', ['dry-run'], (flag) => `--${flag}`)).toBe(' (did you mean --dry-run?)');
    expect(didYouMean('xyz', ['dry-run'])).toBe('');
  });

  it('suggests nothing when no header is near', () => {
    expect(closestName('phone_number', ['contact_id', 'mobile'])).toBeUndefined();
    expect(closestName('tier', [])).toBeUndefined();
  });
});
