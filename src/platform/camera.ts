/**
 * The camera: rear camera by default, a chosen device on request, torch and zoom where the track
 * supports them, and errors sorted into what the user can do about them.
 */

/** Why the camera is not running, from the user's point of view. */
export type CameraErrorKind =
  /** The user or a policy refused permission. */
  | 'denied'
  /** No camera (or not the chosen one). */
  | 'missing'
  /** Another application holds the camera or the hardware failed to start. */
  | 'busy'
  /** The page is not a secure context (HTTPS or localhost), so the browser hides the camera API. */
  | 'insecure'
  /** The browser has no camera API at all. */
  | 'unsupported'
  | 'failed';

/** A camera failure with its {@link CameraErrorKind}. */
export class CameraError extends Error {
  constructor(
    readonly kind: CameraErrorKind,
    message: string,
    readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'CameraError';
  }
}

/** Sorts a getUserMedia rejection by its DOMException name (including legacy Chrome names). */
export function cameraErrorKind(error: unknown): CameraErrorKind {
  const name = error instanceof Error || error instanceof DOMException ? error.name : '';
  switch (name) {
    case 'NotAllowedError':
    case 'PermissionDeniedError':
    case 'SecurityError':
      return 'denied';
    case 'NotFoundError':
    case 'DevicesNotFoundError':
    case 'OverconstrainedError':
    case 'ConstraintNotSatisfiedError':
      return 'missing';
    case 'NotReadableError':
    case 'TrackStartError':
    case 'AbortError':
      return 'busy';
    default:
      return 'failed';
  }
}

/** What the running track can adjust (absent features are hidden in the UI). */
export interface CameraFeatures {
  torch: boolean;
  zoom?: { min: number; max: number; step: number; value: number };
}

/** A video input the user can pick. */
export interface CameraDevice {
  deviceId: string;
  label: string;
}

/** Capabilities and settings beyond TypeScript's DOM library (torch and zoom are Image Capture extensions). */
interface ExtendedCapabilities extends MediaTrackCapabilities {
  torch?: boolean;
  zoom?: { min: number; max: number; step?: number };
}

/**
 * Requested resolution: Full HD is plenty (the model sees 227x227; captures keep the full frame) and
 * keeps per-frame copies cheap on phones that would otherwise deliver 4K.
 */
export const IDEAL_RESOLUTION = { width: 1920, height: 1080 } as const;

/** Owns one MediaStream at a time and plays it in a video element. */
export class Camera {
  private stream?: MediaStream;
  private generation = 0;

  /** The id of the running device, if any. */
  get deviceId(): string | undefined {
    return this.track?.getSettings().deviceId;
  }

  /** The running video track. */
  get track(): MediaStreamTrack | undefined {
    return this.stream?.getVideoTracks()[0];
  }

  get running(): boolean {
    return this.track?.readyState === 'live';
  }

  /**
   * Opens the camera (the rear one unless `deviceId` is given) and plays it in `video`. Any
   * previous stream is stopped first. A start superseded by a later start or stop releases its
   * stream and rejects with an AbortError.
   * @throws CameraError
   */
  async start(video: HTMLVideoElement, deviceId?: string): Promise<void> {
    this.stop();
    const generation = ++this.generation;
    if (!navigator.mediaDevices?.getUserMedia) {
      throw window.isSecureContext
        ? new CameraError('unsupported', 'this browser has no camera API (navigator.mediaDevices)')
        : new CameraError('insecure', 'the camera needs a secure context (HTTPS or localhost)');
    }
    const size = { width: { ideal: IDEAL_RESOLUTION.width }, height: { ideal: IDEAL_RESOLUTION.height } };
    const video_: MediaTrackConstraints = deviceId
      ? { deviceId: { exact: deviceId }, ...size }
      : { facingMode: { ideal: 'environment' }, ...size };
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: false, video: video_ });
    } catch (e) {
      throw new CameraError(cameraErrorKind(e), e instanceof Error ? `${e.name}: ${e.message}` : String(e), e);
    }
    if (generation !== this.generation) {
      stream.getTracks().forEach((t) => t.stop());
      throw new DOMException('camera start superseded', 'AbortError');
    }
    this.stream = stream;
    video.muted = true;
    video.playsInline = true;
    video.srcObject = stream;
    try {
      await video.play();
    } catch (e) {
      // play() is interrupted when a newer start or stop replaced the source; that is not an error.
      if (generation !== this.generation) throw new DOMException('camera start superseded', 'AbortError');
      this.stop();
      throw new CameraError('failed', `the video would not play (${(e as Error).message})`, e);
    }
  }

  /** Stops the tracks (the camera light goes off). Safe to call at any time. */
  stop(): void {
    this.generation++;
    this.stream?.getTracks().forEach((t) => t.stop());
    this.stream = undefined;
  }

  /** Video inputs. Labels are only filled in once the user granted camera access. */
  async listCameras(): Promise<CameraDevice[]> {
    if (!navigator.mediaDevices?.enumerateDevices) return [];
    const devices = await navigator.mediaDevices.enumerateDevices();
    return devices
      .filter((d) => d.kind === 'videoinput' && d.deviceId)
      .map((d, i) => ({ deviceId: d.deviceId, label: d.label || `Camera ${i + 1}` }));
  }

  /** Torch and zoom support of the running track (getCapabilities is missing in some browsers). */
  features(): CameraFeatures {
    const track = this.track;
    if (!track || typeof track.getCapabilities !== 'function') return { torch: false };
    const caps = track.getCapabilities() as ExtendedCapabilities;
    const settings = track.getSettings();
    const features: CameraFeatures = { torch: caps.torch === true };
    if (caps.zoom && caps.zoom.max > caps.zoom.min) {
      features.zoom = {
        min: caps.zoom.min,
        max: caps.zoom.max,
        step: caps.zoom.step || 0.1,
        value: settings.zoom ?? caps.zoom.min,
      };
    }
    return features;
  }

  /** Switches the torch (only where {@link features} reports it). */
  async setTorch(on: boolean): Promise<void> {
    await this.track?.applyConstraints({ advanced: [{ torch: on } as MediaTrackConstraintSet] });
  }

  /** Sets the zoom factor (only where {@link features} reports it). */
  async setZoom(value: number): Promise<void> {
    await this.track?.applyConstraints({ advanced: [{ zoom: value } as MediaTrackConstraintSet] });
  }
}
