/**
 * Which surfaces a model learnt, from its metadata. Kept apart from metadata.ts (which validates the
 * novelty model with TF.js) so that the app's shell can read it without loading TF.js.
 */
import type { ModelMetadata, ModelSurfaces } from './metadata';

/**
 * The surfaces a model learnt: its `surfaces`, or for a model `npm run train` wrote before it recorded
 * them, the data sets it was trained on (`training.data`, comma-separated); undefined when unknown.
 */
export function modelSurfaces(meta: Pick<ModelMetadata, 'surfaces' | 'training'>): ModelSurfaces | undefined {
  if (meta.surfaces) return meta.surfaces;
  const { tool, data } = meta.training ?? {};
  if (tool !== 'npm run train' || typeof data !== 'string' || data === '') return undefined;
  return { trained: data.split(',').sort(), rehearsed: [] };
}
