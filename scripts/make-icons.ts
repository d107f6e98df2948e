/**
 * Renders the PWA icons from public/icons/icon.svg with sharp:
 *   icon-192.png, icon-512.png     purpose "any" (rounded corners, transparent outside)
 *   icon-maskable-512.png          purpose "maskable" (full bleed; the artwork keeps to the safe zone)
 *   apple-touch-icon-180.png       iOS home screen (opaque full bleed; iOS rounds the corners itself)
 * Run after editing the SVG: `npm run make-icons`. The PNGs are committed so builds need no rendering.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import sharp, { type Sharp } from 'sharp';

const dir = path.resolve(import.meta.dirname, '../public/icons');
const svg = readFileSync(path.join(dir, 'icon.svg'));

/** Renders the SVG at `size` px square (density scaled so the vector is rasterised at full resolution). */
function render(size: number): Sharp {
  return sharp(svg, { density: (72 * size) / 512 }).resize(size, size);
}

/** A white rounded square used as an alpha mask (radius 22% like common launcher shapes). */
function roundedMask(size: number): Buffer {
  const r = Math.round(size * 0.22);
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}"><rect width="${size}" height="${size}" rx="${r}" ry="${r}" fill="#fff"/></svg>`,
  );
}

async function main(): Promise<void> {
  for (const size of [192, 512]) {
    const file = path.join(dir, `icon-${size}.png`);
    const base = await render(size).png().toBuffer();
    await sharp(base)
      .composite([{ input: roundedMask(size), blend: 'dest-in' }])
      .png({ compressionLevel: 9 })
      .toFile(file);
    console.log('wrote', path.relative(process.cwd(), file));
  }
  const maskable = path.join(dir, 'icon-maskable-512.png');
  await render(512).flatten({ background: '#102027' }).png({ compressionLevel: 9 }).toFile(maskable);
  console.log('wrote', path.relative(process.cwd(), maskable));
  const apple = path.join(dir, 'apple-touch-icon-180.png');
  await render(180).flatten({ background: '#102027' }).png({ compressionLevel: 9 }).toFile(apple);
  console.log('wrote', path.relative(process.cwd(), apple));
}

await main();
