import { CsvError } from '../errors.ts';
import { KINDS, type ExportKind } from './kinds.ts';

/** Our column name → the header the merchant's export uses for it (config `columns.<kind>`). */
export type ColumnMapping = Partial<Record<string, string>>;

export interface ColumnLayout {
  /** Our column name → index in the record, for the columns the file has. */
  indexes: ReadonlyMap<string, number>;
  /** Our column name → the header as written in the file (for reject messages). */
  headers: ReadonlyMap<string, string>;
  fieldCount: number;
}

const normalise = (header: string) => header.trim().toLowerCase();

/**
 * Resolves the header row against our columns. Headers match case-insensitively; unknown headers
 * (names, e-mail, …) are ignored. A missing required column fails the whole file.
 */
export function resolveColumns(kind: ExportKind, header: string[], mapping: ColumnMapping, fileName: string): ColumnLayout {
  const positions = new Map<string, number>();
  header.forEach((name, index) => {
    const key = normalise(name);
    if (key && !positions.has(key)) positions.set(key, index);
  });
  const indexes = new Map<string, number>();
  const headers = new Map<string, string>();
  for (const column of KINDS[kind].columns) {
    const wanted = mapping[column] ?? column;
    const index = positions.get(normalise(wanted));
    if (index === undefined) continue;
    indexes.set(column, index);
    headers.set(column, header[index]!.trim());
  }
  const missing = KINDS[kind].required.filter((column) => !indexes.has(column));
  if (missing.length > 0) {
    const names = missing.map((column) => mapping[column] ?? column);
    throw new CsvError(
      'CSV_MISSING_COLUMN',
      { file: fileName, line: 1, column: names[0]! },
      `missing required column${names.length > 1 ? 's' : ''} ${names.map((name) => `"${name}"`).join(', ')}; the header has ${header.map((name) => `"${name.trim()}"`).join(', ')}`,
    );
  }
  return { indexes, headers, fieldCount: header.length };
}
