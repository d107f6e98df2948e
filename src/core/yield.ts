/**
 * Resolves on the next macrotask, so long work (training, feature extraction) lets the page paint
 * and handle input between its steps.
 */
export const yieldToEventLoop = (): Promise<void> => new Promise<void>((r) => setTimeout(r, 0));
