/**
 * findings.geojson: an RFC 7946 FeatureCollection with one Feature per finding. A finding with a GPS
 * position is a Point `[longitude, latitude]` (WGS 84, the only CRS RFC 7946 allows, so no `crs`
 * member); a finding without one (GPS denied, unavailable or timed out) keeps its Feature with
 * `geometry: null`, which RFC 7946 section 3.2 allows for unlocated features, so the file lists every
 * finding like the CSV does and `position_missing` says why. Properties are the CSV's columns
 * ({@link findingRow}), the Feature `id` is the finding id.
 */
import type { FindingFields } from '../finding';
import type { FindingRow } from './finding-row';

/** A GeoJSON position: [longitude, latitude]. */
export type LonLat = [number, number];

export interface PointGeometry {
  type: 'Point';
  coordinates: LonLat;
}

export interface FindingFeature {
  type: 'Feature';
  id: string;
  geometry: PointGeometry | null;
  properties: FindingRow;
}

export interface FindingsFeatureCollection {
  type: 'FeatureCollection';
  features: FindingFeature[];
}

function requireInRange(findingId: string, name: string, value: number, limit: number): void {
  if (!Number.isFinite(value) || Math.abs(value) > limit)
    throw new Error(`finding ${findingId}: ${name} must be a number from -${limit} to ${limit}; got ${String(value)}`);
}

/** The Point of a finding with a position, else null; the error names a coordinate out of range. */
export function findingGeometry(fields: FindingFields): PointGeometry | null {
  const p = fields.position;
  if (!p) return null;
  requireInRange(fields.id, 'latitude', p.latitude, 90);
  requireInRange(fields.id, 'longitude', p.longitude, 180);
  return { type: 'Point', coordinates: [p.longitude, p.latitude] };
}

/** The FeatureCollection of `findings` (each with its row, in the same order). */
export function findingsFeatureCollection(
  findings: readonly { fields: FindingFields; row: FindingRow }[],
): FindingsFeatureCollection {
  return {
    type: 'FeatureCollection',
    features: findings.map(({ fields, row }) => ({
      type: 'Feature',
      id: fields.id,
      geometry: findingGeometry(fields),
      properties: row,
    })),
  };
}

/** The findings.geojson text (UTF-8 JSON, no BOM: RFC 7946 section 11 says none). */
export function findingsGeojson(findings: readonly { fields: FindingFields; row: FindingRow }[]): string {
  return `${JSON.stringify(findingsFeatureCollection(findings), null, 1)}\n`;
}
