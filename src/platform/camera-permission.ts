/**
 * The camera permission as the browser reports it, so that a capture that cannot happen can say why
 * (blocked, or the camera simply is not running yet).
 */

/** `granted`, `denied`, `prompt`, or `unknown` where the Permissions API or its `camera` name is missing. */
export type CameraPermission = PermissionState | 'unknown';

/** The part of `navigator.permissions` used here, so callers can pass another implementation. */
export type PermissionsApi = Pick<Permissions, 'query'>;

function defaultPermissions(): PermissionsApi | undefined {
  return typeof navigator !== 'undefined' ? navigator.permissions : undefined;
}

/** Reads the camera permission; never rejects (browsers without the `camera` name resolve `unknown`). */
export async function cameraPermission(
  permissions: PermissionsApi | undefined = defaultPermissions(),
): Promise<CameraPermission> {
  if (!permissions || typeof permissions.query !== 'function') return 'unknown';
  try {
    // 'camera' is not in every browser's PermissionName list (Firefox rejects it).
    return (await permissions.query({ name: 'camera' as PermissionName })).state;
  } catch {
    return 'unknown';
  }
}
