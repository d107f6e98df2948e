import { describe, expect, it } from 'vitest';
import { DEFAULT_RECIPE, trainedSurfaces } from '../../src/core/trainer-recipe';
import { TRAINING_MODES } from '../../src/core/trainer-layers';
import { DEEP_MODULE_COUNTS } from '../../src/core/head';

describe('the default fine-tuning recipe', () => {
  it('names a valid mode and fire-module count', () => {
    expect(TRAINING_MODES).toContain(DEFAULT_RECIPE.mode);
    expect(DEEP_MODULE_COUNTS).toContain(DEFAULT_RECIPE.deepModules);
    expect(DEFAULT_RECIPE.rehearsalPerGroup).toBeGreaterThan(0);
  });

  it('carries the previous model’s surfaces over and adds the run’s, sorted and without repeats', () => {
    expect(
      trainedSurfaces({ trained: ['concrete'], rehearsed: [] }, ['brick'], ['walls', 'concrete', 'asphalt']),
    ).toEqual({ trained: ['brick', 'concrete'], rehearsed: ['asphalt', 'concrete', 'walls'] });
    expect(trainedSurfaces({ trained: ['brick', 'concrete'], rehearsed: ['asphalt'] }, ['brick'], [])).toEqual({
      trained: ['brick', 'concrete'],
      rehearsed: ['asphalt'],
    });
    expect(trainedSurfaces(undefined, ['captures'], [])).toEqual({ trained: ['captures'], rehearsed: [] });
  });
});
