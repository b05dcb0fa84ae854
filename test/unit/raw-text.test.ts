import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeBytes, encodeText, notUtf8Message, showEscapedBytes } from '../../src/io/raw-text.js';

describe('decodeBytes / encodeText: bytes that are not UTF-8 survive a read and a write', () => {
  it('reads UTF-8 as UTF-8, BOM included, and says nothing is invalid', () => {
    const bytes = Buffer.from('\uFEFFA=caf\u00e9 \u{1F600}\n', 'utf8');
    expect(decodeBytes(bytes)).toEqual({ text: '\uFEFFA=caf\u00e9 \u{1F600}\n' });
    expect(encodeText('\uFEFFA=caf\u00e9 \u{1F600}\n').equals(bytes)).toBe(true);
  });

  it('keeps a Latin-1 byte as an escape, says where the first one is, and writes it back', () => {
    const bytes = Buffer.from('A=1\nDB_PASSWORD=p\xe4ss\n', 'latin1');
    const decoded = decodeBytes(bytes);
    expect(decoded).toEqual({ text: 'A=1\nDB_PASSWORD=p\uDCE4ss\n', invalid: { line: 2, col: 14, byte: 0xe4 } });
    expect(encodeText(`${decoded.text}NEW=\u00e9\n`).equals(Buffer.concat([bytes, Buffer.from('NEW=\u00e9\n', 'utf8')]))).toBe(true);
    expect(showEscapedBytes(decoded.text)).toBe('A=1\nDB_PASSWORD=p\\xE4ss\n');
  });

  it('round-trips every byte sequence exactly (overlongs, surrogates, truncated sequences, random bytes)', () => {
    const cases = [
      [0xc0, 0xaf],
      [0xe0, 0x80, 0xaf],
      [0xed, 0xa0, 0x80],
      [0xed, 0xb2, 0x80],
      [0xf4, 0x90, 0x80, 0x80],
      [0xf0, 0x9f, 0x98],
      [0xff, 0xfe, 0x41, 0x00],
      [0xe2, 0x82],
    ].map((b) => Buffer.from(b));
    for (let i = 0; i < 3000; i++) cases.push(randomBytes(1 + (i % 40)));
    for (const bytes of cases) expect(encodeText(decodeBytes(bytes).text).equals(bytes), bytes.toString('hex')).toBe(true);
  });

  it('names UTF-16 for what it is', () => {
    const utf16 = Buffer.from('\uFEFFservices: {}\n', 'utf16le');
    expect(notUtf8Message(decodeBytes(utf16).invalid!, utf16)).toBe(
      'the file is UTF-16 (little-endian) text; compose and obs read YAML as UTF-8 only: convert it (iconv -f UTF-16 -t UTF-8) and run obs again',
    );
  });
});
