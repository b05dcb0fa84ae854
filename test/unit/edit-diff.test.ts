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

  it('shows an insertion made inside a line (at its indentation, before a JSON key) as added lines, as diff -u does', () => {
    const python = 'def create_app():\n    app = Flask(__name__)\n    app.config.x()\n\n    return app\n';
    const at = python.indexOf('app.config');
    const inserted = roundTrip(python, [{ start: at, end: at, text: 'from observability import init_observability\n    init_observability(app)\n    ' }]);
    expect(inserted).toBe(
      [
        '--- a/f',
        '+++ b/f',
        '@@ -1,5 +1,7 @@',
        ' def create_app():',
        '     app = Flask(__name__)',
        '+    from observability import init_observability',
        '+    init_observability(app)',
        '     app.config.x()',
        ' ',
        '     return app',
        '',
      ].join('\n'),
    );
    // Taken out again (obs remove): deleted lines only.
    const after = applyTextEdits(python, [{ start: at, end: at, text: 'from observability import init_observability\n    init_observability(app)\n    ' }]);
    const from = after.indexOf('from observability');
    const removed = roundTrip(after, [{ start: from, end: after.indexOf('app.config'), text: '' }]);
    expect(removed.split('\n').filter((l) => /^[-+][^-+]/.test(l))).toEqual(['-    from observability import init_observability', '-    init_observability(app)']);

    const json = '{\n  "dependencies": {\n    "b": "1"\n  }\n}\n';
    const key = json.indexOf('"b"');
    const added = roundTrip(json, [{ start: key, end: key, text: '"a": "2",\n    ' }]);
    expect(added.split('\n').filter((l) => /^[-+][^-+]/.test(l))).toEqual(['+    "a": "2",']);
  });

  it('keeps a line that differs only by the final newline as a change', () => {
    // Appended after a last line without a newline: that line gains one, so it is taken out and put back.
    expect(roundTrip('a\nb', [{ start: 3, end: 3, text: '\nc\n' }])).toBe(['--- a/f', '+++ b/f', '@@ -1,2 +1,3 @@', ' a', '-b', '\\ No newline at end of file', '+b', '+c', ''].join('\n'));
    // The final newline taken away.
    expect(roundTrip('a\nb\n', [{ start: 3, end: 4, text: '' }])).toBe(['--- a/f', '+++ b/f', '@@ -1,2 +1,2 @@', ' a', '-b', '+b', '\\ No newline at end of file', ''].join('\n'));
    // Text put back as it stood: no hunk.
    expect(diffFromEdits('a/f', 'b/f', 'a\nb\n', [{ start: 2, end: 3, text: 'b' }])).toBe('');
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

  it('round-trips random edits that break lines, repeat their neighbours and touch the end', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)]!;
    for (let round = 0; round < 300; round++) {
      const lines = Array.from({ length: 1 + Math.floor(random() * 8) }, () => pick(['a', 'b', '  c', '']));
      const before = lines.join('\n') + pick(['\n', '']);
      const edits: TextEdit[] = [];
      let offset = 0;
      while (offset <= before.length && edits.length < 3) {
        const start = offset + Math.floor(random() * 4);
        if (start > before.length) break;
        const end = Math.min(before.length, start + Math.floor(random() * 3));
        edits.push({ start, end, text: pick(['', 'x\n', '\n', 'a\n  ', 'b', '\nb\n']) });
        offset = end + 1;
      }
      roundTrip(before, edits);
    }
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
