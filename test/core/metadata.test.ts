import { describe, expect, it } from 'vitest';
import { encodeFloat16 } from '../../src/core/float16';
import { validateMetadata } from '../../src/core/metadata';
import { modelSurfaces } from '../../src/core/model-surfaces';
import { metadataFor } from '../helpers';

const good = () =>
  metadataFor({ weightCount: 705856, featureLayer: 'fire9/relu_expand3x3', featureShape: [13, 13, 256] }, [
    'crack',
    'nocrack',
  ]);

describe('validateMetadata', () => {
  it('accepts complete metadata', () => {
    expect(validateMetadata(good())).toEqual(good());
  });
  it.each([
    ['formatVersion', 2, /"formatVersion" is 2; expected 1/],
    ['kind', 'detector', /"kind".*"classifier" or "oneclass"/],
    ['labels', ['crack'], /"labels".*at least 2/],
    ['labels', ['crack', 'crack'], /unique class names/],
    ['preprocessing', 'bgr', /one of caffe-bgr, caffe-rgb, unit, symmetric/],
    ['version', 0, /integer >= 1/],
    ['inputSize', 'big', /inputSize/],
    ['base', { name: 'x' }, /"base".*featureShape/],
  ])('rejects a bad %s, naming what is allowed', (field, value, message) => {
    expect(() => validateMetadata({ ...good(), [field]: value })).toThrow(message);
  });
  it('accepts a fine layer with its shape, and rejects one without the other', () => {
    const fine = {
      ...good(),
      base: { ...good().base, fineLayer: 'fire3/concat', fineShape: [56, 56, 128] as [number, number, number] },
    };
    expect(validateMetadata(fine)).toEqual(fine);
    const { fineShape: _shape, ...noShape } = fine.base;
    void _shape;
    expect(() => validateMetadata({ ...good(), base: noShape })).toThrow(
      /"base".*both fineLayer .* and fineShape .*, or neither/,
    );
    expect(() => validateMetadata({ ...good(), base: { ...fine.base, fineShape: [56, 56] } })).toThrow(/or neither/);
  });
  it('accepts calibration and a novelty model that fits the feature map, and names what is wrong', () => {
    const calibration = {
      method: 'temperature',
      temperature: 1.7,
      ece: { before: 0.04, after: 0.01 },
      n: 800,
    } as const;
    expect(validateMetadata({ ...good(), calibration }).calibration).toEqual(calibration);
    expect(() => validateMetadata({ ...good(), calibration: { ...calibration, temperature: 0 } })).toThrow(
      /"calibration".*temperature: a finite number > 0/,
    );
    const novelty = {
      method: 'pooled-mahalanobis',
      dims: 256,
      groups: ['concrete/crack'],
      whitening: encodeFloat16(new Float32Array((256 * 257) / 2).fill(0.1)),
      means: encodeFloat16(new Float32Array(256)),
      threshold: 300,
      quantile: 0.99,
      shrinkage: 0.1,
      validationRejection: { 'concrete/crack': 0.01 },
    };
    expect(validateMetadata({ ...good(), novelty }).novelty).toEqual(novelty);
    expect(() => validateMetadata({ ...good(), novelty: { ...novelty, dims: 384 } })).toThrow(
      /"novelty" is invalid: .*dims 384 do not match the 256 channels/,
    );
    // A check on another base layer than the head's map: its channels are checked against the base at load.
    const onFire7 = { ...novelty, layer: 'fire7/concat' };
    expect(validateMetadata({ ...good(), novelty: onFire7 }).novelty).toEqual(onFire7);
    expect(() => validateMetadata({ ...good(), novelty: { ...novelty, layer: 7 } })).toThrow(
      /"novelty" is invalid: .*layer must be a base layer's name, got 7/,
    );
  });
  it('accepts the surfaces a model was trained and rehearsed on, and names the expected shape', () => {
    const surfaces = { trained: ['concrete', 'brick'], rehearsed: ['asphalt'] };
    expect(validateMetadata({ ...good(), surfaces }).surfaces).toEqual(surfaces);
    expect(() => validateMetadata({ ...good(), surfaces: { trained: ['concrete'] } })).toThrow(
      /"surfaces" is .*expected \{trained: string\[\], rehearsed: string\[\]\}/,
    );
  });

  it('rejects a missing object', () => {
    expect(() => validateMetadata(undefined)).toThrow(/missing "userDefinedMetadata.crackcam"/);
  });
});

describe('modelSurfaces', () => {
  it('reads the recorded surfaces, else the data sets npm run train trained on', () => {
    const surfaces = { trained: ['brick', 'concrete'], rehearsed: ['walls'] };
    expect(modelSurfaces({ surfaces, training: { tool: 'npm run train', data: 'x' } })).toBe(surfaces);
    expect(modelSurfaces({ training: { tool: 'npm run train', data: 'concrete,walls,asphalt' } })).toEqual({
      trained: ['asphalt', 'concrete', 'walls'],
      rehearsed: [],
    });
    expect(modelSurfaces({ training: { tool: 'npm run finetune', data: 'brick' } })).toBeUndefined();
    expect(modelSurfaces({ training: { tool: 'npm run train', data: '' } })).toBeUndefined();
    expect(modelSurfaces({})).toBeUndefined();
  });
});
