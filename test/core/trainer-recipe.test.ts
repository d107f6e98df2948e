import { describe, expect, it } from 'vitest';
import { DEFAULT_RECIPE, defaultRehearsal, recipeMode, trainedSurfaces } from '../../src/core/trainer-recipe';
import { TRAINING_MODES } from '../../src/core/trainer-layers';
import { DEEP_MODULE_COUNTS } from '../../src/core/head';

describe('the default fine-tuning recipe', () => {
  it('names a valid fire-module count', () => {
    expect(DEEP_MODULE_COUNTS).toContain(DEFAULT_RECIPE.deepModules);
    expect(DEFAULT_RECIPE.rehearsalPerGroup).toBeGreaterThan(0);
  });

  it('fine-tunes deep for a site of the model’s own classes, the head alone for a new class, from the base or from a model without fire copies', () => {
    const deepParent = ['fire8', 'fire9'];
    expect(recipeMode({ addsClasses: false, start: 'current', parentFires: deepParent })).toBe('deep');
    expect(recipeMode({ addsClasses: true, start: 'current', parentFires: deepParent })).toBe('head');
    expect(recipeMode({ addsClasses: false, start: 'base', parentFires: deepParent })).toBe('head');
    expect(recipeMode({ addsClasses: false, start: 'current', parentFires: [] })).toBe('head');
    for (const addsClasses of [false, true])
      for (const start of ['current', 'base'] as const)
        for (const parentFires of [[], deepParent])
          expect(TRAINING_MODES).toContain(recipeMode({ addsClasses, start, parentFires }));
  });

  it('rehearses all of the pack without routing, the site’s surface for a new class, else nothing', () => {
    expect(defaultRehearsal({ willRoute: false, addsClasses: false })).toBe('all');
    expect(defaultRehearsal({ willRoute: false, addsClasses: true })).toBe('all');
    expect(defaultRehearsal({ willRoute: true, addsClasses: true })).toBe('nearest-surface');
    expect(defaultRehearsal({ willRoute: true, addsClasses: false })).toBe('none');
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
