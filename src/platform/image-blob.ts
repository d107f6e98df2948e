/**
 * Image Blobs from pixels and photos, on an OffscreenCanvas: the crops and frames that captures and
 * findings store. No storage here, so code that only encodes images does not load the database.
 */
/** Encodes pixels as an image Blob (PNG for crops: lossless; JPEG for frames). */
export async function imageDataToBlob(
  image: ImageData,
  type: 'image/png' | 'image/jpeg' = 'image/png',
  quality = 0.92,
): Promise<Blob> {
  const canvas = new OffscreenCanvas(image.width, image.height);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('2D canvas is not available');
  ctx.putImageData(image, 0, 0);
  return canvas.convertToBlob({ type, quality });
}

/**
 * Decodes any image Blob (a photo of any size; EXIF orientation applied) and returns its centred
 * square resized to `size` as a PNG, plus the decoded size.
 */
export async function cropBlob(blob: Blob, size = 227): Promise<{ crop: Blob; width: number; height: number }> {
  const bitmap = await createImageBitmap(blob, { imageOrientation: 'from-image' });
  try {
    const side = Math.min(bitmap.width, bitmap.height);
    const canvas = new OffscreenCanvas(size, size);
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('2D canvas is not available');
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(
      bitmap,
      Math.floor((bitmap.width - side) / 2),
      Math.floor((bitmap.height - side) / 2),
      side,
      side,
      0,
      0,
      size,
      size,
    );
    return { crop: await canvas.convertToBlob({ type: 'image/png' }), width: bitmap.width, height: bitmap.height };
  } finally {
    bitmap.close();
  }
}
