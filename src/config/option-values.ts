// The values options take, as flags and env vars give them (strings) and config files (JSON types): one
// definition each, used by every schema in this folder.
import { z } from 'zod';
import { isValidTimeZone } from '../base/time.ts';

/** `true`/`false`/`1`/`0`/`yes`/`no`, or a JSON boolean. */
export const flag = z.union([z.boolean(), z.enum(['true', 'false', '1', '0', 'yes', 'no'])]).transform((value) => value === true || value === 'true' || value === '1' || value === 'yes');

export const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const timeZone = z.string().refine(isValidTimeZone, 'expected an IANA time zone like Europe/Oslo');

/** A file or folder path. */
export const path = z.string().min(1);
