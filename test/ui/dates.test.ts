import { describe, expect, it } from 'vitest';
import { dateText, dateTimeText } from '../../src/ui/dates';

describe('dateTimeText and dateText', () => {
  const ms = new Date(2026, 11, 4, 23, 5, 6).getTime(); // local time

  it("write the date in the app's language (English until one is chosen)", () => {
    // (the space before PM differs between ICU versions: compared with the runtime's own English)
    expect(dateTimeText(ms)).toBe(new Date(ms).toLocaleString('en'));
    expect(dateText(ms)).toBe('12/4/2026');
  });

  it('write a Japanese date the Japanese way', () => {
    expect(dateTimeText(ms, 'ja')).toBe('2026/12/4 23:05:06');
    expect(dateText(ms, 'ja')).toBe('2026/12/4');
  });
});
