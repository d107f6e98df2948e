/**
 * What the inspection report is made from: each finding's fields and the bytes of its images, plus the
 * names the images get in the exported zip (`photos/<finding-id>-still.jpg`, `-overlay.png`, `-crop.png`),
 * which the CSV, the GeoJSON and the PDF refer to.
 */
import type { FindingFields } from '../finding';

/** Image formats a report embeds. */
export const REPORT_IMAGE_TYPES = ['image/jpeg', 'image/png'] as const;
export type ReportImageType = (typeof REPORT_IMAGE_TYPES)[number];

/** An encoded image (JPEG or PNG file bytes). */
export interface ReportImage {
  type: ReportImageType;
  bytes: Uint8Array;
}

/** A finding with its images, as the report builders take it. */
export interface ReportFinding {
  fields: FindingFields;
  /** The still that goes into photos/: the full-resolution one, else the downscaled copy (see `downscaledStill`). */
  still: ReportImage;
  /**
   * Set when `still` is the downscaled copy (the finding came by sync without its full-resolution still):
   * its size, which the CSV gives instead of the size the still was taken at.
   */
  downscaledStill?: { width: number; height: number };
  /** The 227 x 227 crop the model saw (photos/). */
  crop: ReportImage;
  /** The crop with the heatmap as painted (photos/ and the PDF). */
  overlay: ReportImage;
  /** A smaller copy of the still for the PDF (the platform downscales it); the still itself when absent. */
  pdfStill?: ReportImage;
  /**
   * A small copy of the still of the earlier finding this one names (the same defect at its earlier
   * record), printed beside this one's in the PDF; absent when it names none or the device lacks it.
   */
  earlierStill?: ReportImage;
  /**
   * A JPEG copy of the overlay for the PDF; the overlay itself when absent. pdf-lib passes JPEG through
   * but decodes and recompresses PNG in JavaScript, which was a third of a 200-finding report's time.
   */
  pdfOverlay?: ReportImage;
}

/** Paths of a finding's images inside the zip. */
export interface FindingPhotoPaths {
  still: string;
  overlay: string;
  crop: string;
}

/** Folder of the images in the zip. */
export const PHOTOS_FOLDER = 'photos';

const extensionOf = (type: ReportImageType): string => (type === 'image/jpeg' ? 'jpg' : 'png');

/**
 * A finding id as it may appear in a file name: letters, digits, `-` and `_` kept, anything else `_`
 * (ids are UUIDs in practice; this keeps a hand-made id from reaching outside photos/).
 */
export const fileSafeId = (id: string): string => id.replace(/[^A-Za-z0-9_-]/g, '_');

/** Where a finding's images go in the zip; the extension follows each image's type. */
export function findingPhotoPaths(finding: ReportFinding): FindingPhotoPaths {
  const base = `${PHOTOS_FOLDER}/${fileSafeId(finding.fields.id)}`;
  return {
    still: `${base}-still.${extensionOf(finding.still.type)}`,
    overlay: `${base}-overlay.${extensionOf(finding.overlay.type)}`,
    crop: `${base}-crop.${extensionOf(finding.crop.type)}`,
  };
}

/** Checks that an image is a JPEG or PNG with bytes; the error names the finding, the image and the valid types. */
export function validateReportImage(findingId: string, name: string, image: ReportImage): void {
  if (!REPORT_IMAGE_TYPES.includes(image.type))
    throw new Error(
      `finding ${findingId}: the ${name} image is ${String(image.type)}; valid types are ${REPORT_IMAGE_TYPES.join(', ')}`,
    );
  if (image.bytes.length === 0) throw new Error(`finding ${findingId}: the ${name} image is empty`);
}
