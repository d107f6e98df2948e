import { describe, expect, it } from 'vitest';
import { fitLine, wrapText } from '../../../src/core/report/pdf-text';

/** Every character 1 point wide, so widths are character counts. */
const oneEach = (text: string) => [...text].length;

describe('wrapText', () => {
  it('breaks Latin text between words and drops the space at the break', () => {
    expect(wrapText('crack along the north face', oneEach, 10)).toEqual(['crack', 'along the', 'north face']);
  });

  it('breaks Japanese between any two characters', () => {
    expect(wrapText('北側の橋脚に幅0.3mmのひび割れ', oneEach, 6)).toEqual(['北側の橋脚に', '幅0.3mm', 'のひび割れ']);
  });

  it('keeps line breaks (CRLF too), breaks a word longer than a line, and gives one empty line for empty text', () => {
    expect(wrapText('a\r\nb\nc', oneEach, 10)).toEqual(['a', 'b', 'c']);
    expect(wrapText('abcdefghij', oneEach, 4)).toEqual(['abcd', 'efgh', 'ij']);
    expect(wrapText('', oneEach, 4)).toEqual(['']);
  });
});

describe('fitLine', () => {
  it('leaves a short text, cuts a long one to the width with an ellipsis, on one line', () => {
    expect(fitLine('short', oneEach, 10)).toBe('short');
    const cut = fitLine('ひび割れ幅 0.3 mm\n漏水あり、錆汁あり', oneEach, 8);
    expect(cut).toBe('ひび割れ幅…'); // cut at the space, as lines break
    expect(oneEach(cut)).toBeLessThanOrEqual(8);
  });
});
