/**
 * findings.csv: RFC 4180 (comma-separated, CRLF line ends, fields with commas, quotes or line breaks
 * quoted, quotes doubled), UTF-8 with a byte-order mark so spreadsheet programs read Japanese text
 * correctly; a header row of {@link FINDING_COLUMNS}, then one row per finding. Written with
 * papaparse's `unparse`.
 *
 * Text cells that a spreadsheet would run as a formula (starting with `=`, `+`, `@`, a tab or a carriage
 * return, or `-` not followed by a digit) get a leading `'`, as papaparse's `escapeFormulae` does;
 * numbers such as a negative longitude are left as they are.
 */
import Papa from 'papaparse';
import { FINDING_COLUMNS, type FindingRow, type RowValue } from './finding-row';

/** UTF-8 byte-order mark (U+FEFF). */
export const BOM = '\uFEFF';

/** Text that a spreadsheet program would take for a formula. */
const FORMULA_START = /^(?:[=+@\t\r]|-(?![\d.]))/;

const cell = (value: RowValue): string => (value === null ? '' : String(value));

/** The CSV text (starting with the BOM) of `rows`. */
export function findingsCsv(rows: readonly FindingRow[]): string {
  const data = rows.map((row) => FINDING_COLUMNS.map((column) => cell(row[column])));
  const body = Papa.unparse(
    { fields: [...FINDING_COLUMNS], data },
    { newline: '\r\n', quotes: false, escapeFormulae: FORMULA_START },
  );
  return `${BOM}${body}\r\n`;
}
