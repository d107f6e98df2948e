/** What the move from the legacy findings database has left to do and its read-back check (finding-migration-plan.ts). */
import { describe, expect, it } from 'vitest';
import type { FindingFields } from '../../src/core/finding';
import { findingsToCopy, readBackProblems, sameJson } from '../../src/platform/finding-migration-plan';

const fields = (id: string, notes = '') =>
  ({
    id,
    createdAt: 1,
    updatedAt: 1,
    notes,
    context: { inspection: 'R9', structure: '', element: '', inspector: '' },
  }) as FindingFields;
const shape = (id: string, still = 5000, notes = '') => ({ fields: fields(id, notes), still, crop: 200, overlay: 250 });

describe('legacy findings move', () => {
  it('copies only the findings the new store lacks (or had and deleted), in legacy order', () => {
    expect(findingsToCopy(['a', 'b', 'c', 'd'], new Set(['b', 'd']))).toEqual(['a', 'c']);
    expect(findingsToCopy(['a'], new Set())).toEqual(['a']);
    expect(findingsToCopy([], new Set(['a']))).toEqual([]);
  });

  it('compares fields as data, whatever the key order, and tells undefined keys from values', () => {
    expect(sameJson({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 })).toBe(true);
    expect(sameJson({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(sameJson({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
    expect(sameJson({ a: 1 }, { a: '1' })).toBe(false);
    expect(sameJson([1], { 0: 1 })).toBe(false);
  });

  it('passes a complete copy and names every difference of an incomplete one', () => {
    expect(readBackProblems(shape('a'), shape('a'))).toEqual([]);
    expect(readBackProblems(shape('a'), undefined)).toEqual(['finding a is missing from the new store']);
    expect(readBackProblems(shape('a'), shape('a', 4000, 'changed'))).toEqual([
      'finding a: the fields differ',
      'finding a: the still has 4000 bytes, the original 5000',
    ]);
  });

  it('checks only the presence of a finding that was in the new store before (it may have been edited since)', () => {
    expect(readBackProblems(shape('a'), shape('a', 1, 'edited'), true)).toEqual([]);
    expect(readBackProblems(shape('a'), undefined, true)).toEqual(['finding a is missing from the new store']);
  });
});
