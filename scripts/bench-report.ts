/**
 * Times the inspection export's core (src/core/report/inspection-report.ts: PDF, CSV, GeoJSON and
 * zip) on synthetic findings with real JPEG bytes, in Node, and prints JSON.
 *
 *   npx tsx scripts/bench-report.ts [--count 200] [--out report.zip] [--still 1600x1200]
 *
 * Each finding gets a still made from a concrete crack photo of the shared data (upscaled to --still,
 * JPEG quality 85, as a phone's photo), PNG crop and overlay, and the JPEG copies for the PDF that the
 * page's export makes (the still at 1024 px, the overlay); fields vary (Japanese notes, some without
 * GPS). Without ../shared the stills are noise images of the same size.
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import sharp, { type Sharp } from 'sharp';
import { sharedDataPath } from '../src/cli/node-io';
import { buildInspectionReport } from '../src/core/report/inspection-report';
import type { ReportFinding } from '../src/core/report/report-finding';
import { fieldsOf, noiseImage, reportFont } from '../test/core/report/report-fixtures';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '200' },
    out: { type: 'string' },
    still: { type: 'string', default: '1600x1200' },
  },
});
const count = Number(values.count);
const [stillWidth, stillHeight] = (values.still ?? '').split('x').map(Number);
if (!Number.isInteger(count) || count < 1) throw new Error(`--count must be a positive integer; got ${values.count}`);
if (!(stillWidth > 0 && stillHeight > 0)) throw new Error(`--still must be WIDTHxHEIGHT, e.g. 1600x1200`);

interface PhotoSet {
  still: Uint8Array;
  pdfStill: Uint8Array;
  crop: Uint8Array;
  pdfOverlay: Uint8Array;
}

/** Up to 20 photos of cracks, as JPEG stills, their PDF copies and PNG crops. */
async function photoSet(): Promise<PhotoSet[]> {
  const dir = path.join(sharedDataPath(), 'concrete/crack');
  const sources = existsSync(dir) ? readdirSync(dir).sort().slice(0, 20) : [];
  const make = async (input: Sharp) => ({
    still: new Uint8Array(await input.clone().resize(stillWidth, stillHeight).jpeg({ quality: 85 }).toBuffer()),
    pdfStill: new Uint8Array(await input.clone().resize(1024).jpeg({ quality: 80 }).toBuffer()),
    crop: new Uint8Array(await input.clone().resize(227, 227).png().toBuffer()),
    pdfOverlay: new Uint8Array(await input.clone().resize(227, 227).jpeg({ quality: 90 }).toBuffer()),
  });
  if (sources.length === 0) return [await make(sharp(await noiseImage(stillWidth, stillHeight, 'jpeg')))];
  return Promise.all(sources.map((f) => make(sharp(path.join(dir, f)))));
}

const photos = await photoSet();
const font = reportFont();
const fields = Array.from({ length: count }, (_, i) => fieldsOf(i));
const load = async (f: (typeof fields)[number]): Promise<ReportFinding> => {
  const p = photos[Number(f.id.slice(2)) % photos.length];
  return {
    fields: f,
    still: { type: 'image/jpeg', bytes: p.still },
    pdfStill: { type: 'image/jpeg', bytes: p.pdfStill },
    crop: { type: 'image/png', bytes: p.crop },
    overlay: { type: 'image/png', bytes: p.crop },
    pdfOverlay: { type: 'image/jpeg', bytes: p.pdfOverlay },
  };
};

const started = performance.now();
const report = await buildInspectionReport('Route 9 bridge 2026', fields, load, { font });
const seconds = (performance.now() - started) / 1000;
if (values.out) writeFileSync(values.out, report.zip);
console.log(
  JSON.stringify({
    findings: count,
    still: `${stillWidth}x${stillHeight}`,
    stillBytes: photos[0].still.length,
    seconds: Number(seconds.toFixed(2)),
    zipBytes: report.zip.length,
    fileName: report.fileName,
    node: process.version,
  }),
);
