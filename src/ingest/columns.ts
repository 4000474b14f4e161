import { closestName } from '../base/closest-name.ts';
import { CsvError } from '../errors.ts';
import { KINDS, normaliseHeader, type ExportKind } from '../base/kinds.ts';
import { shownValue } from './shown-value.ts';

/** Our column name → the header the merchant's export uses for it (config `columns.<kind>`). */
export type ColumnMapping = Partial<Record<string, string>>;

/** Our column name → the header as the file writes it. */
export type ColumnHeaders = Record<string, string>;

export interface ColumnLayout {
  /** Our column name → index in the record, for the columns the file has. */
  indexes: ReadonlyMap<string, number>;
  /** Our column name → the header as written in the file (rejects name columns the way the file does). */
  headers: ColumnHeaders;
  /** The file's header row, as written (a reject on an unknown column names it from here). */
  names: readonly string[];
  fieldCount: number;
}

export interface ColumnExpectations {
  mapping: ColumnMapping;
  /** The columns this kind's file had in the last successful run: each must still be there. */
  previous?: ColumnHeaders;
}

/** A header as messages and rejects show it: printable, whatever bytes the file has there. */
export const shownHeader = (name: string) => shownValue(name, 200);
const quoted = (name: string) => `"${shownHeader(name)}"`;

/**
 * Resolves the header row against our columns. Headers match case-insensitively (and whatever the
 * Unicode normal form); unknown headers (names, e-mail, …) are ignored. The file fails as a whole when a
 * column we read appears twice, or when a required column, a column named in the config's mapping, or a
 * column the last successful run had is missing: a mapping typo would otherwise clear a field for
 * everyone.
 */
export function resolveColumns(kind: ExportKind, header: readonly string[], expectations: ColumnExpectations, fileName: string): ColumnLayout {
  const { mapping, previous = {} } = expectations;
  const positions = new Map<string, number[]>();
  header.forEach((name, index) => {
    const key = normaliseHeader(name);
    if (key) positions.set(key, [...(positions.get(key) ?? []), index]);
  });
  const indexes = new Map<string, number>();
  const headers: ColumnHeaders = {};
  const missing: Missing[] = [];
  for (const column of KINDS[kind].columns) {
    const wanted = mapping[column] ?? column;
    const found = positions.get(normaliseHeader(wanted));
    if (found && found.length > 1) {
      const [first, second] = found as [number, number];
      throw new CsvError(
        'CSV_DUPLICATE_COLUMN',
        { file: fileName, line: 1, column: shownHeader(header[first]!) },
        `columns ${first + 1} (${quoted(header[first]!)}) and ${second + 1} (${quoted(header[second]!)}) have the same name; which one holds ${column} is unclear (rename or remove one)`,
      );
    }
    if (found) {
      indexes.set(column, found[0]!);
      headers[column] = shownHeader(header[found[0]!]!);
      continue;
    }
    if (KINDS[kind].required.includes(column)) missing.push({ column, header: wanted, what: 'required column', note: '' });
    else if (mapping[column] !== undefined) missing.push({ column, header: wanted, what: 'column', note: ` (${column} in the config's "columns")` });
    else if (previous[column] !== undefined) missing.push({ column, header: previous[column]!, what: 'column', note: ` (${column}, in the last successful run's file)`, dropped: true });
  }
  if (missing.length > 0) throw missingColumns(missing, header, fileName);
  return { indexes, headers, names: header, fieldCount: header.length };
}

interface Missing {
  column: string;
  /** The header we looked for. */
  header: string;
  what: string;
  note: string;
  /** Present in the last successful run: may have been dropped on purpose. */
  dropped?: boolean;
}

const LISTED_HEADERS = 50;

function missingColumns(missing: readonly Missing[], header: readonly string[], fileName: string): CsvError {
  const names = header.map(shownHeader).filter(Boolean);
  const parts = missing.map(({ header: wanted, what, note }) => {
    const near = closestName(wanted, names);
    return `missing ${what} ${quoted(wanted)}${note}${near ? `, closest match ${quoted(near)}` : ''}`;
  });
  const listed = `${names.slice(0, LISTED_HEADERS).map(quoted).join(', ')}${names.length > LISTED_HEADERS ? ', …' : ''}`;
  const onPurpose = missing.some((entry) => entry.dropped) ? '; if a column was dropped on purpose, run once with --allow-mass-clear' : '';
  return new CsvError('CSV_MISSING_COLUMN', { file: fileName, line: 1, column: shownHeader(missing[0]!.header) }, `${parts.join('; ')}; the header has ${listed}${onPurpose}`);
}
