import { describe, expect, it } from 'vitest';
import { parseCsv } from '../testing/parse-csv.ts';
import { csvCell, csvRow } from './csv.ts';

describe('CSV cells', () => {
  it.each([
    ['plain', 'plain'],
    ['a, b', '"a, b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['cr\r\nlf', '"cr\r\nlf"'],
    ['=HYPERLINK("http://evil.example","click")', '"\'=HYPERLINK(""http://evil.example"",""click"")"'],
    ['=1+1', "'=1+1"],
    ['+1', "'+1"],
    ['-1', "'-1"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tTAB', "'\tTAB"],
    ['\rCR', '"\'\rCR"'],
    ['', ''],
    ['a = b', 'a = b'],
  ])('%j is written as %j', (value, written) => {
    expect(csvCell(value)).toBe(written);
  });

  it('writes numbers, booleans and nulls plainly (a negative number stays a number)', () => {
    expect(csvRow([1, -2, true, null, undefined, 'x'])).toBe('1,-2,true,,,x\r\n');
  });

  it('reads back exactly, except that formulas keep their neutralising quote', () => {
    const hostile = ['a,b', '"', '""', 'x\ny', '=cmd|"/c calc"!A0', '-', 'ünï 🎉', ' spaced '];
    expect(parseCsv(csvRow(hostile))).toEqual([hostile.map((v) => (/^[=+\-@\t\r]/.test(v) ? `'${v}` : v))]);
  });
});
