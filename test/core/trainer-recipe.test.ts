import { describe, expect, it } from 'vitest';
import { DEFAULT_RECIPE, recipeMode, trainedSurfaces } from '../../src/core/trainer-recipe';
import { TRAINING_MODES } from '../../src/core/trainer-layers';
import { DEEP_MODULE_COUNTS } from '../../src/core/head';

describe('the default fine-tuning recipe', () => {
  it('names a valid fire-module count', () => {
    expect(DEEP_MODULE_COUNTS).toContain(DEFAULT_RECIPE.deepModules);
    expect(DEFAULT_RECIPE.rehearsalPerGroup).toBeGreaterThan(0);
  });

  it('fine-tunes deep for a site of the model’s own classes, the head alone for a new class or from the base', () => {
    expect(recipeMode({ addsClasses: false, start: 'current' })).toBe('deep');
    expect(recipeMode({ addsClasses: true, start: 'current' })).toBe('head');
    expect(recipeMode({ addsClasses: false, start: 'base' })).toBe('head');
    for (const addsClasses of [false, true])
      for (const start of ['current', 'base'] as const)
        expect(TRAINING_MODES).toContain(recipeMode({ addsClasses, start }));
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
