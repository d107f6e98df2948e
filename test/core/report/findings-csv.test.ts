import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { FINDING_COLUMNS, findingRow } from '../../../src/core/report/finding-row';
import { BOM, findingsCsv } from '../../../src/core/report/findings-csv';
import { fieldsOf } from './report-fixtures';

const paths = (id: string) => ({
  still: `photos/${id}-still.jpg`,
  overlay: `photos/${id}-overlay.png`,
  crop: `photos/${id}-crop.png`,
});
const rowOf = (i: number, notes?: string) => {
  const fields = { ...fieldsOf(i), ...(notes === undefined ? {} : { notes }) };
  return findingRow(fields, paths(fields.id));
};

/** Parses CSV text (after its BOM) into rows of cells. */
function parse(csv: string): string[][] {
  const result = Papa.parse<string[]>(csv.slice(1), { skipEmptyLines: true });
  expect(result.errors).toEqual([]);
  return result.data;
}

describe('findings.csv', () => {
  it('starts with the UTF-8 BOM, has a header and one CRLF-ended row per finding', () => {
    const csv = findingsCsv([rowOf(0), rowOf(1), rowOf(2)]);
    expect(Buffer.from(csv, 'utf8').subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(csv.startsWith(BOM)).toBe(true);
    const rows = parse(csv);
    expect(rows[0]).toEqual([...FINDING_COLUMNS]);
    expect(rows).toHaveLength(4);
    expect(csv.endsWith('\r\n')).toBe(true);
    // every line break outside quoted notes is CRLF
    expect(csv.replace(/"(?:[^"]|"")*"/g, '').match(/(?<!\r)\n/g)).toBeNull();
  });

  it('round-trips Japanese, commas, quotes and line breaks in notes, with ISO 8601 times', () => {
    const notes = '漏水, 錆汁あり "要観察"\r\n2行目,\nthird';
    const rows = parse(findingsCsv([rowOf(5, notes)]));
    const record = Object.fromEntries(FINDING_COLUMNS.map((c, i) => [c, rows[1][i]]));
    expect(record.notes).toBe(notes);
    expect(record.structure).toBe('第9号橋 (Route 9)');
    expect(record.inspector).toBe('山田 花子');
    expect(record.created_at).toBe(new Date(fieldsOf(5).createdAt).toISOString());
    expect(record.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(record.still_file).toBe('photos/f-0005-still.jpg');
    expect(record.overlay_file).toBe('photos/f-0005-overlay.png');
    expect(record.crop_file).toBe('photos/f-0005-crop.png');
  });

  it('quotes fields per RFC 4180 (quotes doubled) and leaves absent values empty', () => {
    const csv = findingsCsv([rowOf(2, 'say "hi", then go')]);
    expect(csv).toContain('"say ""hi"", then go"');
    const rows = parse(csv);
    const record = Object.fromEntries(FINDING_COLUMNS.map((c, i) => [c, rows[1][i]]));
    // finding 2 has no position (GPS denied)
    expect([record.latitude, record.longitude, record.position_missing]).toEqual(['', '', 'denied']);
  });

  it('keeps numbers, including a negative longitude, and defuses text that a spreadsheet would run', () => {
    const rows = parse(findingsCsv([rowOf(0, '=HYPERLINK("x")'), rowOf(1, '-see photo')]));
    const col = (name: string) => FINDING_COLUMNS.indexOf(name as (typeof FINDING_COLUMNS)[number]);
    expect(Number(rows[1][col('longitude')])).toBe(fieldsOf(0).position?.longitude);
    expect(rows[1][col('longitude')].startsWith('-')).toBe(true);
    expect(rows[1][col('notes')]).toBe(`'=HYPERLINK("x")`);
    expect(rows[2][col('notes')]).toBe(`'-see photo`);
  });

  it('lists why a width is not reliable, and leaves the cell empty when it is', () => {
    const m = {
      widthMm: 0.15,
      meanWidthMm: 0.1,
      lengthMm: 40,
      uncertainMm: 0.07,
      mmPerPx: 0.1,
      scale: 'marker' as const,
    };
    const measurement = { ...m, standard: 'aashto-rc', widthClass: 'CS1' };
    const caveats: ('move-closer' | 'hold-still')[] = ['move-closer', 'hold-still'];
    const flagged = { ...fieldsOf(0), measurement: { ...measurement, caveats } };
    const plain = { ...fieldsOf(1), measurement };
    const rows = parse(findingsCsv([findingRow(flagged, paths(flagged.id)), findingRow(plain, paths(plain.id))]));
    const col = FINDING_COLUMNS.indexOf('width_caveats');
    expect([rows[1][col], rows[2][col]]).toEqual(['move-closer;hold-still', '']);
  });

  it('gives the size of the still in photos/: the downscaled copy when the full still is not there', () => {
    const fields = fieldsOf(3);
    const full = findingRow(fields, paths(fields.id));
    expect([full.still_width, full.still_height, full.still_downscaled]).toEqual([
      fields.still.width,
      fields.still.height,
      false,
    ]);
    const small = findingRow(fields, paths(fields.id), { width: 1600, height: 1200 });
    expect([small.still_width, small.still_height, small.still_downscaled]).toEqual([1600, 1200, true]);
    const rows = parse(findingsCsv([small]));
    expect(rows[1][FINDING_COLUMNS.indexOf('still_downscaled')]).toBe('true');
  });
});
