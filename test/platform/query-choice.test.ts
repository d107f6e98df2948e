import { describe, expect, it } from 'vitest';
import { queryChoice } from '../../src/platform/query-choice';

class ChoiceError extends Error {}
const read = (search: string) =>
  queryChoice(search, 'place', ['worker', 'main'] as const, (v) => new ChoiceError(`bad ${v}`));

describe('queryChoice', () => {
  it('reads a valid value, trimmed and in any case; absent or empty gives undefined', () => {
    expect(read('?place=main')).toBe('main');
    expect(read('?x=1&place=%20Worker%20')).toBe('worker');
    expect(read('?x=1')).toBeUndefined();
    expect(read('?place=')).toBeUndefined();
    expect(read('')).toBeUndefined();
  });

  it("throws the caller's error with the value as given", () => {
    expect(() => read('?place=GPU')).toThrow(ChoiceError);
    expect(() => read('?place=GPU')).toThrow('bad GPU');
  });
});
