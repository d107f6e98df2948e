import { describe, expect, it } from 'vitest';
import { cameraPermission, type PermissionsApi } from '../../src/platform/camera-permission';

/** A Permissions API that answers `state` for 'camera' and rejects any other name, recording the names asked. */
function fakePermissions(state: PermissionState, asked: string[] = []): PermissionsApi {
  return {
    query: (descriptor: PermissionDescriptor) => {
      asked.push(descriptor.name);
      return descriptor.name === 'camera'
        ? Promise.resolve({ state } as PermissionStatus)
        : Promise.reject(new TypeError(`unknown name ${descriptor.name}`));
    },
  };
}

describe('cameraPermission', () => {
  it("reports the browser's state of the camera permission", async () => {
    const asked: string[] = [];
    expect(await cameraPermission(fakePermissions('denied', asked))).toBe('denied');
    expect(await cameraPermission(fakePermissions('granted'))).toBe('granted');
    expect(await cameraPermission(fakePermissions('prompt'))).toBe('prompt');
    expect(asked).toEqual(['camera']);
  });

  it('is unknown without the Permissions API or where the camera name is refused', async () => {
    expect(await cameraPermission(undefined)).toBe('unknown');
    const refusing: PermissionsApi = {
      query: () => Promise.reject(new TypeError("'camera' is not a valid PermissionName")),
    };
    expect(await cameraPermission(refusing)).toBe('unknown');
  });
});
