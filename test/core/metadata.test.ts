import { describe, expect, it } from 'vitest';
import { validateMetadata } from '../../src/core/metadata';
import { metadataFor } from '../helpers';

const good = () => metadataFor({ weightCount: 705856, featureLayer: 'fire9/relu_expand3x3', featureShape: [13, 13, 256] }, ['crack', 'nocrack']);

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
    const fine = { ...good(), base: { ...good().base, fineLayer: 'fire3/concat', fineShape: [56, 56, 128] as [number, number, number] } };
    expect(validateMetadata(fine)).toEqual(fine);
    const { fineShape: _shape, ...noShape } = fine.base;
    void _shape;
    expect(() => validateMetadata({ ...good(), base: noShape })).toThrow(/"base".*both fineLayer .* and fineShape .*, or neither/);
    expect(() => validateMetadata({ ...good(), base: { ...fine.base, fineShape: [56, 56] } })).toThrow(/or neither/);
  });
  it('rejects a missing object', () => {
    expect(() => validateMetadata(undefined)).toThrow(/missing "userDefinedMetadata.crackcam"/);
  });
});
