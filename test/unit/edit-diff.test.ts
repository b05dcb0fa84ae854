import { applyPatch, createTwoFilesPatch } from 'diff';
import { describe, expect, it } from 'vitest';
import { applyTextEdits, type TextEdit } from '../../src/text/edits.js';
import { diffFromEdits } from '../../src/io/edit-diff.js';

/** The diff must apply back (with the reference implementation) to exactly the edited text. */
function roundTrip(before: string, edits: TextEdit[]): string {
  const after = applyTextEdits(before, edits);
  const patch = diffFromEdits('a/f', 'b/f', before, edits);
  expect(applyPatch(before, patch)).toBe(after);
  return patch;
}

describe('diffFromEdits', () => {
  it('matches diff -u for an insertion between lines', () => {
    const before = 'a\nb\nc\nd\ne\nf\ng\nh\n';
    const edits = [{ start: 4, end: 4, text: 'X\nY\n' }];
    expect(roundTrip(before, edits)).toBe(['--- a/f', '+++ b/f', '@@ -1,5 +1,7 @@', ' a', ' b', '+X', '+Y', ' c', ' d', ' e', ''].join('\n'));
  });

  it('gives the same hunks as jsdiff for a replacement inside a line', () => {
    const before = 'one: 1\ntwo: "secret"\nthree: 3\n';
    const edits = [{ start: 12, end: 20, text: '"${S}"' }];
    const ours = roundTrip(before, edits);
    const theirs = createTwoFilesPatch('a/f', 'b/f', before, applyTextEdits(before, edits));
    expect(ours).toBe(theirs.slice(theirs.indexOf('--- ')).replace(/\t\n/g, '\n'));
  });

  it('merges nearby changes into one hunk and keeps far ones apart', () => {
    const lines = Array.from({ length: 40 }, (_, i) => `line ${i}`);
    const before = `${lines.join('\n')}\n`;
    const at = (n: number) => before.indexOf(`line ${n}\n`);
    const patch = roundTrip(before, [
      { start: at(5), end: at(5), text: 'new A\n' },
      { start: at(9), end: at(9), text: 'new B\n' },
      { start: at(30), end: at(30), text: 'new C\n' },
    ]);
    expect(patch.match(/^@@/gm)).toHaveLength(2);
  });

  it('handles CRLF, edits at the start and the end, and a file without a final newline', () => {
    roundTrip('a\r\nb\r\nc\r\n', [
      { start: 0, end: 0, text: 'first\r\n' },
      { start: 9, end: 9, text: 'last\r\n' },
    ]);
    const patch = roundTrip('a\nb\nc', [{ start: 5, end: 5, text: '\nd' }]);
    expect(patch).toContain('\\ No newline at end of file');
    roundTrip('a\nb\nc', [{ start: 0, end: 1, text: 'A' }]);
    roundTrip('x: {a: 1}\ny: 2\n', [{ start: 8, end: 8, text: ', b: 2' }]);
  });

  it('writes a new file as one hunk of added lines, as the general path does', () => {
    for (const text of ['one line\n', 'no final newline', 'a\nb\n\nc\n', 'a\r\nb\r\n', '\n', '\n\nx']) {
      const ours = roundTrip('', [{ start: 0, end: 0, text }]);
      // Two edits (one empty) take the general path.
      expect(ours).toBe(
        diffFromEdits('a/f', 'b/f', '', [
          { start: 0, end: 0, text: '' },
          { start: 0, end: 0, text },
        ]),
      );
    }
    expect(diffFromEdits('/dev/null', 'b/f', '', [{ start: 0, end: 0, text: 'x\ny' }])).toBe(
      ['--- /dev/null', '+++ b/f', '@@ -0,0 +1,2 @@', '+x', '+y', '\\ No newline at end of file', ''].join('\n'),
    );
  });

  it('round-trips many random edits on a large file', () => {
    const lines = Array.from({ length: 3000 }, (_, i) => `  key${i}: "value ${i}"`);
    const before = `${lines.join('\n')}\n`;
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const edits: TextEdit[] = [];
    let offset = 0;
    while (offset < before.length) {
      offset += Math.floor(random() * 2000);
      const lineEnd = before.indexOf('\n', offset);
      if (lineEnd === -1) break;
      const kind = random();
      if (kind < 0.5) edits.push({ start: lineEnd + 1, end: lineEnd + 1, text: `  added${offset}: "x"\n` });
      else edits.push({ start: lineEnd - 3, end: lineEnd - 1, text: 'Z' });
      offset = lineEnd + 1;
    }
    expect(edits.length).toBeGreaterThan(50);
    roundTrip(before, edits);
  });
});
