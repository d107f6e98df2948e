/** Choosing the shown version of a conflicted finding and what restoring one removes (finding-versions.ts). */
import { describe, expect, it } from 'vitest';
import type { FindingFields } from '../../src/core/finding';
import { compareRevs, newestFirst, revsToRemove, shownVersion } from '../../src/platform/finding-versions';

const version = (rev: string, updatedAt: number, notes: string) => ({
  rev,
  fields: { id: 'x', createdAt: 1, updatedAt, notes } as FindingFields,
});

describe('finding versions', () => {
  it('orders revisions as PouchDB does: generation first, numerically, then hash', () => {
    expect(compareRevs('10-a', '9-z')).toBeGreaterThan(0);
    expect(compareRevs('2-b', '2-a')).toBeGreaterThan(0);
    expect(compareRevs('2-a', '2-a')).toBe(0);
  });

  it('shows the version edited last even when PouchDB would pick the longer branch', () => {
    const pouchWinner = version('5-aaa', 1000, 'edited on device 1');
    const newer = version('3-bbb', 2000, 'edited on device 2');
    expect(shownVersion([pouchWinner, newer])).toBe(newer);
    expect(newestFirst([pouchWinner, newer]).map((v) => v.fields.notes)).toEqual([
      'edited on device 2',
      'edited on device 1',
    ]);
  });

  it('breaks equal edit times by revision, so every device shows the same one', () => {
    const a = version('2-aaa', 1000, 'a');
    const b = version('2-bbb', 1000, 'b');
    expect(shownVersion([a, b]).fields.notes).toBe('b');
    expect(shownVersion([b, a]).fields.notes).toBe('b');
  });

  it('refuses to choose among no versions', () => {
    expect(() => shownVersion([])).toThrow(/at least one version; got none/);
  });

  it('removes every other version on restore; refuses a revision that is not a version, naming them', () => {
    expect(revsToRemove(['3-a', '2-b', '4-c'], '2-b', 'x')).toEqual(['3-a', '4-c']);
    expect(revsToRemove(['3-a'], '3-a', 'x')).toEqual([]);
    expect(() => revsToRemove(['3-a', '2-b'], '9-z', 'x')).toThrow(
      "'9-z' is not a version of finding x; its versions are 3-a, 2-b",
    );
  });
});
