import { describe, expect, it } from 'vitest';
import { findingRow } from '../../../src/core/report/finding-row';
import { findingsFeatureCollection, findingsGeojson } from '../../../src/core/report/findings-geojson';
import { fieldsOf } from './report-fixtures';

const paths = { still: 'photos/a-still.jpg', overlay: 'photos/a-overlay.png', crop: 'photos/a-crop.png' };
const entry = (fields = fieldsOf(0)) => ({ fields, row: findingRow(fields, paths) });

/** The RFC 7946 rules a findings FeatureCollection must keep; returns the broken ones. */
function rfc7946Problems(doc: unknown): string[] {
  const problems: string[] = [];
  const fc = doc as Record<string, unknown>;
  if (fc.type !== 'FeatureCollection') problems.push('type is not FeatureCollection');
  if ('crs' in fc) problems.push('crs member (removed in RFC 7946)');
  if (!Array.isArray(fc.features)) return [...problems, 'features is not an array'];
  for (const feature of fc.features as Record<string, unknown>[]) {
    if (feature.type !== 'Feature') problems.push('a feature without type Feature');
    if (!('geometry' in feature) || !('properties' in feature)) problems.push('feature lacks geometry or properties');
    if (!['string', 'number'].includes(typeof feature.id)) problems.push('feature id is neither string nor number');
    const g = feature.geometry as { type?: string; coordinates?: unknown } | null;
    if (g === null) continue;
    if (g.type !== 'Point') problems.push(`geometry ${g.type}`);
    const c = g.coordinates as number[];
    if (!Array.isArray(c) || c.length !== 2 || !c.every(Number.isFinite)) problems.push('position is not 2 numbers');
    else if (Math.abs(c[0]) > 180 || Math.abs(c[1]) > 90) problems.push(`position ${c.join(',')} out of range`);
  }
  return problems;
}

describe('findings.geojson', () => {
  it('is an RFC 7946 FeatureCollection with [longitude, latitude] points and the fields as properties', () => {
    const findings = [0, 1, 2, 3].map((i) => entry(fieldsOf(i)));
    const text = findingsGeojson(findings);
    const doc = JSON.parse(text) as ReturnType<typeof findingsFeatureCollection>;
    expect(rfc7946Problems(doc)).toEqual([]);
    expect(doc.features).toHaveLength(4);
    const first = doc.features[0];
    const p = fieldsOf(0).position!;
    // lon first; the fixture puts the finding at 35.68 N, 139.77 W so that swapped axes show
    expect(first.geometry).toEqual({ type: 'Point', coordinates: [p.longitude, p.latitude] });
    expect(first.id).toBe('f-0000');
    expect(first.properties.notes).toBe(fieldsOf(0).notes);
    expect(first.properties.latitude).toBe(p.latitude);
    expect(first.properties.condition_state).toBe(1);
    expect(first.properties.created_at).toBe(new Date(fieldsOf(0).createdAt).toISOString());
    expect(first.properties.still_file).toBe(paths.still);
  });

  it('keeps a finding without a position as a feature with null geometry that says why', () => {
    const doc = findingsFeatureCollection([entry(fieldsOf(2))]);
    expect(rfc7946Problems(doc)).toEqual([]);
    expect(doc.features[0].geometry).toBeNull();
    expect(doc.features[0].properties.position_missing).toBe('denied');
  });

  it('refuses a coordinate out of range, naming the finding and the valid range', () => {
    const bad = fieldsOf(0);
    bad.position = { latitude: 139.7, longitude: 35.6, accuracy: 5 };
    expect(() => findingsFeatureCollection([entry(bad)])).toThrow(
      'finding f-0000: latitude must be a number from -90 to 90; got 139.7',
    );
  });

  it('the problem finder itself catches a crs member and swapped axes', () => {
    expect(rfc7946Problems({ type: 'FeatureCollection', crs: {}, features: [] })).toContain(
      'crs member (removed in RFC 7946)',
    );
    const swapped = {
      type: 'FeatureCollection',
      features: [{ type: 'Feature', id: 'x', properties: {}, geometry: { type: 'Point', coordinates: [10, 139] } }],
    };
    expect(rfc7946Problems(swapped)).toEqual(['position 10,139 out of range']);
  });
});
