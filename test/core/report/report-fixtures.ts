/**
 * Synthetic findings with real image bytes (JPEG still, PNG crop and overlay made with sharp) for the
 * report tests and the export benchmark, and the report font read from node_modules.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import sharp from 'sharp';
import type { FindingFields } from '../../../src/core/finding';
import type { ReportFinding } from '../../../src/core/report/report-finding';
import { REPORT_FONT_MODULE } from '../../../src/core/report/report-font';

/** The report font's bytes (Noto Sans JP TrueType). */
export function reportFont(): Uint8Array {
  return new Uint8Array(readFileSync(createRequire(import.meta.url).resolve(REPORT_FONT_MODULE)));
}

/** A noisy grey image of `width` x `height` as JPEG or PNG (noise makes the sizes realistic). */
export async function noiseImage(width: number, height: number, format: 'jpeg' | 'png'): Promise<Uint8Array> {
  const image = sharp({
    create: {
      width,
      height,
      channels: 3,
      background: { r: 128, g: 126, b: 120 },
      noise: { type: 'gaussian', mean: 128, sigma: 30 },
    },
  });
  const out = format === 'jpeg' ? await image.jpeg({ quality: 85 }).toBuffer() : await image.png().toBuffer();
  return new Uint8Array(out);
}

const HOUR = 3_600_000;
/** 2026-05-01T08:00:00Z */
export const T0 = Date.UTC(2026, 4, 1, 8);

/** Fields of finding number `i` of inspection `inspection`; every third has no position. */
export function fieldsOf(i: number, inspection = 'Route 9 bridge 2026'): FindingFields {
  const located = i % 3 !== 2;
  return {
    id: `f-${String(i).padStart(4, '0')}`,
    createdAt: T0 + i * HOUR,
    updatedAt: T0 + i * HOUR + 60_000,
    context: {
      inspection,
      structure: '第9号橋 (Route 9)',
      element: `Pier ${(i % 4) + 1}, north face`,
      inspector: '山田 花子',
    },
    defectType: (['crack', 'spalling', 'salt-damage', 'crack', 'exposed-rebar', 'other'] as const)[i % 6],
    orientation: i % 5 === 4 ? undefined : (['horizontal', 'vertical', 'diagonal', 'map'] as const)[i % 4],
    conditionState: i % 7 === 6 ? undefined : ([1, 2, 3, 4] as const)[i % 4],
    notes: `ひび割れ幅 0.${(i % 9) + 1} mm, 漏水あり; "north" side\nsecond line, 続き`,
    verdict: { label: 'crack', probability: 0.5 + (i % 50) / 100, unfamiliar: i % 10 === 9 },
    model: { name: 'crackcam-default', version: 3 },
    ...(located
      ? { position: { latitude: 35.6812 + i * 1e-4, longitude: -139.7671 - i * 1e-4, accuracy: 5 + (i % 20) } }
      : { positionMissing: 'denied' as const }),
    still: { source: 'take-photo', width: 640, height: 480 },
  };
}

/** Images shared by all synthetic findings (made once). */
export interface FixtureImages {
  still: Uint8Array;
  crop: Uint8Array;
  overlay: Uint8Array;
}

export async function fixtureImages(stillWidth = 640, stillHeight = 480): Promise<FixtureImages> {
  const [still, crop, overlay] = await Promise.all([
    noiseImage(stillWidth, stillHeight, 'jpeg'),
    noiseImage(227, 227, 'png'),
    noiseImage(227, 227, 'png'),
  ]);
  return { still, crop, overlay };
}

/** A finding with the fixture images. */
export function reportFinding(fields: FindingFields, images: FixtureImages): ReportFinding {
  return {
    fields,
    still: { type: 'image/jpeg', bytes: images.still },
    crop: { type: 'image/png', bytes: images.crop },
    overlay: { type: 'image/png', bytes: images.overlay },
  };
}
