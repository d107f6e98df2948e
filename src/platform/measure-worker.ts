/// <reference lib="webworker" />
/**
 * The measurement worker: runs measureCrack (marker detection, segmentation, width) off the main
 * thread for finding stills and the live view. Protocol in measure-protocol.ts.
 */
import { framePixels } from './frame-pixels';
import { createMeasureHandler } from './measure-handler';
import type { FromMeasureWorker, ToMeasureWorker } from './measure-protocol';

declare const self: DedicatedWorkerGlobalScope;

const handle = createMeasureHandler((message: FromMeasureWorker) => self.postMessage(message), undefined, framePixels);
self.addEventListener('message', (e: MessageEvent<ToMeasureWorker>) => void handle(e.data));
