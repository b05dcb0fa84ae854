import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { doubleQuoted, isSafePlain, quoteStyleOf, renderScalar, singleQuoted } from '../../src/compose/scalars.js';
import { applyTextEdits, columnOf, detectEol, insertLinesAfter, lineColOf, lineStartOf } from '../../src/text/edits.js';

/** What a YAML reader makes of `KEY: <rendered>`. */
const readBack = (rendered: string): unknown => (parse(`K: ${rendered}\n`) as { K: unknown }).K;

describe('isSafePlain', () => {
  it.each(['api', 'backend-flask', 'https://api.honeycomb.io', 'x-honeycomb-team=${HONEYCOMB_API_KEY}', 'xray-daemon:2000', 'a#b', '1.2.3', 'e3', 'KEY=value'])('%j can be written plain', (value) => {
    expect(isSafePlain(value)).toBe(true);
    expect(readBack(value)).toBe(value);
  });

  it.each([
    '',
    ' lead',
    'trail ',
    '*localhost:4567*',
    '&anchor',
    '!tag',
    '- item',
    '? key',
    '[a]',
    '{a}',
    '#comment',
    '|',
    '>',
    "'q'",
    '"q"',
    '%dir',
    '@at',
    '`tick',
    'a: b',
    'ends:',
    'a #b',
    'tab\there',
    'line\nbreak',
    '~',
    'null',
    'Null',
    'true',
    'FALSE',
    'yes',
    'No',
    'on',
    'off',
    'y',
    'n',
    '4567',
    '-1',
    '+1',
    '1.5',
    '.5',
    '1e3',
    '1_000',
    '0x1F',
    '0o17',
    '0b101',
    '.inf',
    '-.Inf',
    '.NaN',
  ])('%j needs quotes', (value) => {
    expect(isSafePlain(value)).toBe(false);
  });
});

describe('renderScalar', () => {
  it('double-quotes with JSON escapes, which YAML reads back exactly', () => {
    expect(doubleQuoted('a"b\\c\n')).toBe('"a\\"b\\\\c\\n"');
    expect(readBack(doubleQuoted('a"b\\c\n\t${X}'))).toBe('a"b\\c\n\t${X}');
    expect(renderScalar('api', 'double')).toBe('"api"');
  });

  it('single-quotes by doubling apostrophes', () => {
    expect(singleQuoted("it's")).toBe("'it''s'");
    expect(renderScalar("it's", 'single')).toBe("'it''s'");
    expect(readBack(singleQuoted("it's \\n"))).toBe("it's \\n");
  });

  it('writes plain only when safe, double-quoting otherwise', () => {
    expect(renderScalar('api', 'plain')).toBe('api');
    expect(renderScalar('4567', 'plain')).toBe('"4567"');
    expect(renderScalar('', 'plain')).toBe('""');
    expect(renderScalar('*localhost:4567*', 'plain')).toBe('"*localhost:4567*"');
  });

  it('maps yaml Scalar types to quote styles', () => {
    expect(quoteStyleOf('QUOTE_DOUBLE')).toBe('double');
    expect(quoteStyleOf('QUOTE_SINGLE')).toBe('single');
    expect(quoteStyleOf('PLAIN')).toBe('plain');
    expect(quoteStyleOf('BLOCK_LITERAL')).toBe('plain');
    expect(quoteStyleOf(undefined)).toBe('plain');
  });
});

describe('text edits', () => {
  it('applies edits by offset, keeping the given order for insertions at one offset', () => {
    const text = 'abcdef';
    expect(
      applyTextEdits(text, [
        { start: 4, end: 6, text: 'XY' },
        { start: 0, end: 0, text: '1' },
        { start: 0, end: 0, text: '2' },
        { start: 2, end: 3, text: '' },
      ]),
    ).toBe('12abdXY');
    expect(applyTextEdits(text, [])).toBe(text);
  });

  it('refuses overlapping edits', () => {
    expect(() =>
      applyTextEdits('abcdef', [
        { start: 1, end: 4, text: '' },
        { start: 2, end: 3, text: 'x' },
      ]),
    ).toThrow('overlapping text edits at offset 2');
  });

  it('detects the line ending from the first line', () => {
    expect(detectEol('a\r\nb\n')).toBe('\r\n');
    expect(detectEol('a\nb\r\n')).toBe('\n');
    expect(detectEol('no newline')).toBe('\n');
    expect(detectEol('\n')).toBe('\n');
  });

  it('finds line starts, columns and 1-based positions', () => {
    const text = 'ab\n  cd\nef';
    expect(lineStartOf(text, 5)).toBe(3);
    expect(lineStartOf(text, 0)).toBe(0);
    expect(columnOf(text, 5)).toBe(2);
    expect(lineColOf(text, 5)).toEqual({ line: 2, col: 3 });
    expect(lineColOf(text, 8)).toEqual({ line: 3, col: 1 });
  });

  it('inserts whole lines after the line holding an offset, with indent and eol', () => {
    const text = 'a: 1 # c\nb: 2\n';
    expect(applyTextEdits(text, [insertLinesAfter(text, 4, '  ', ['x', '', 'y'], '\n')])).toBe('a: 1 # c\n  x\n\n  y\nb: 2\n');
    // An offset already at a line start inserts right there.
    expect(insertLinesAfter(text, 9, '', ['x'], '\n')).toEqual({ start: 9, end: 9, text: 'x\n' });
    // The last line without newline gets one first.
    expect(insertLinesAfter('a: 1', 2, '', ['b: 2'], '\r\n')).toEqual({ start: 4, end: 4, text: '\r\nb: 2\r\n' });
  });
});
