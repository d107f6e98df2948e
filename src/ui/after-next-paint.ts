/** Resolves after the browser has painted the current frame (in the task after the next frame's). */
export function afterNextPaint(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve)));
}
