import { describe, expect, it } from 'vitest';
import { EXIT_USAGE, UsageError, formatError } from '../../src/errors.js';
import { appendDotenvKeys, dotenvToMap, formatDotenvValue, parseDotenv, removeDotenvPlaceholders, setDotenvValue } from '../../src/dotenv/index.js';

/** [key, value, quote, line] per entry: compact but exact. */
function rows(text: string): Array<[string, string | undefined, string, number]> {
  return parseDotenv(text).entries.map((e) => [e.key, e.value, e.quote, e.line]);
}

/** The UsageError thrown for `text`, as `path:line: message`. */
function errorOf(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).exitCode).toBe(EXIT_USAGE);
    return formatError(err as UsageError);
  }
  throw new Error('expected a UsageError');
}

const parseError = (text: string) => errorOf(() => parseDotenv(text, 'app/.env'));

describe('parseDotenv: lines and keys', () => {
  it('skips blank and comment lines and numbers keys by their line', () => {
    const text = '# header\n\n  # indented comment\nA=1\n\n\t\nB=2\n';
    expect(parseDotenv(text)).toEqual({
      entries: [
        { key: 'A', value: '1', line: 4, quote: 'none' },
        { key: 'B', value: '2', line: 7, quote: 'none' },
      ],
      eol: '\n',
      finalNewline: true,
    });
  });

  it('strips a UTF-8 BOM at the start only', () => {
    expect(rows('\uFEFFA=1\n')).toEqual([['A', '1', 'none', 1]]);
    expect(parseError('A=1\n\uFEFFB=2\n')).toBe('app/.env:2:1: unexpected character "\uFEFF" in a variable name (letters, digits and _ . - [ ] only)');
  });

  it('strips the export prefix but keeps a key named export', () => {
    expect(rows('export A=1\nexport\tB=2\nexport=3\nexportC=4\nexport D\nexport \n')).toEqual([
      ['A', '1', 'none', 1],
      ['B', '2', 'none', 2],
      ['export', '3', 'none', 3],
      ['exportC', '4', 'none', 4],
      ['D', undefined, 'none', 5],
      ['export', undefined, 'none', 6],
    ]);
  });

  it('accepts ":" as separator and whitespace around either separator', () => {
    expect(rows('A: 1\nB = 2\n  C\t=\t3\nD:x:y\nE=a=b\n')).toEqual([
      ['A', '1', 'none', 1],
      ['B', '2', 'none', 2],
      ['C', '3', 'none', 3],
      ['D', 'x:y', 'none', 4],
      ['E', 'a=b', 'none', 5],
    ]);
  });

  it('accepts Unicode letters, digits and _ . - [ ] in keys', () => {
    expect(rows('ÉTÉ_1=a\nsvc.port-2=b\nARR[0]=c\n')).toEqual([
      ['ÉTÉ_1', 'a', 'none', 1],
      ['svc.port-2', 'b', 'none', 2],
      ['ARR[0]', 'c', 'none', 3],
    ]);
  });

  it('records a bare KEY as inherited and KEY= as the empty string', () => {
    expect(rows('INHERITED\nEMPTY=\n  SPACED  \nLAST')).toEqual([
      ['INHERITED', undefined, 'none', 1],
      ['EMPTY', '', 'none', 2],
      ['SPACED', undefined, 'none', 3],
      ['LAST', undefined, 'none', 4],
    ]);
  });

  it('keeps every duplicate entry; dotenvToMap lets the last one win', () => {
    const parsed = parseDotenv('A=1\nB=2\nA=3\nB\n');
    expect(parsed.entries.map((e) => e.key)).toEqual(['A', 'B', 'A', 'B']);
    expect([...dotenvToMap(parsed)]).toEqual([
      ['A', '3'],
      ['B', undefined],
    ]);
  });

  it('reports an empty file', () => {
    expect(parseDotenv('')).toEqual({ entries: [], eol: '\n', finalNewline: false });
  });
});

describe('parseDotenv: unquoted values', () => {
  it('starts an inline comment only at " #"', () => {
    expect(rows('A=abc # note\nB=abc#not-a-comment\nC=a\t#tab\nD=x #1 #2\n')).toEqual([
      ['A', 'abc', 'none', 1],
      ['B', 'abc#not-a-comment', 'none', 2],
      ['C', 'a\t#tab', 'none', 3],
      ['D', 'x', 'none', 4],
    ]);
  });

  it('reads "KEY= # x" as the value "# x", as compose does (blanks after "=" go first)', () => {
    expect(rows('A= # x\n')).toEqual([['A', '# x', 'none', 1]]);
  });

  it('trims surrounding whitespace, keeps the rest verbatim and does not interpolate', () => {
    expect(rows('A=  two words  \nB=a\\nb\nC=${HOME}/x\nD=it"s\n')).toEqual([
      ['A', 'two words', 'none', 1],
      ['B', 'a\\nb', 'none', 2],
      ['C', '${HOME}/x', 'none', 3],
      ['D', 'it"s', 'none', 4],
    ]);
  });
});

describe('parseDotenv: quoted values', () => {
  it("reads single quotes literally except \\'", () => {
    expect(rows("A='${X} \\n \\\\ \\' \"'\nB=  'x' # after\nC=''\n")).toEqual([
      ['A', '${X} \\n \\\\ \' "', 'single', 1],
      ['B', 'x', 'single', 2],
      ['C', '', 'single', 3],
    ]);
  });

  it('expands the shell escapes in double quotes and keeps unknown ones', () => {
    const text = String.raw`A="n\n r\r t\t v\v f\f a\a b\b bs\\ q\" d\$X w\w x\x41 o\0101"` + '\n';
    expect(rows(text)).toEqual([['A', 'n\n r\r t\t v\v f\f a\x07 b\b bs\\ q" d$$X w\\w x\\x41 oA', 'double', 1]]);
  });

  it('pairs a backslash with the next character, so "a\\\\" ends at its last quote', () => {
    expect(rows('A="a\\\\"\nB=\'b\\\\\'\n')).toEqual([
      ['A', 'a\\', 'double', 1],
      ['B', 'b\\\\', 'single', 2],
    ]);
  });

  it('keeps ${VAR} as written in double quotes', () => {
    expect(rows('A="x-team=${KEY}"\n')).toEqual([['A', 'x-team=${KEY}', 'double', 1]]);
  });

  it('lets quoted values span lines and keeps counting lines after them', () => {
    const text = 'A="one\ntwo" # c\nB=\'x\n\ny\'\n#\nC=3\n';
    expect(rows(text)).toEqual([
      ['A', 'one\ntwo', 'double', 1],
      ['B', 'x\n\ny', 'single', 3],
      ['C', '3', 'none', 7],
    ]);
  });

  it('allows a comment, with or without a space, after the closing quote', () => {
    expect(rows('A="x"#c\nB="y"   # c\nC="z"\t\n')).toEqual([
      ['A', 'x', 'double', 1],
      ['B', 'y', 'double', 2],
      ['C', 'z', 'double', 3],
    ]);
  });
});

describe('parseDotenv: CRLF', () => {
  it('detects CRLF, keeps \\r out of values and keeps the missing final newline', () => {
    expect(parseDotenv('# c\r\nA=1\r\nB="2" # c\r\nC=3 # c\r\nD\r\nE=5')).toEqual({
      entries: [
        { key: 'A', value: '1', line: 2, quote: 'none' },
        { key: 'B', value: '2', line: 3, quote: 'double' },
        { key: 'C', value: '3', line: 4, quote: 'none' },
        { key: 'D', value: undefined, line: 5, quote: 'none' },
        { key: 'E', value: '5', line: 6, quote: 'none' },
      ],
      eol: '\r\n',
      finalNewline: false,
    });
  });

  it('keeps a CRLF inside a multi-line quoted value, as compose does', () => {
    expect(rows('A="x\r\ny"\r\nB=2\r\n')).toEqual([
      ['A', 'x\r\ny', 'double', 1],
      ['B', '2', 'none', 3],
    ]);
  });
});

describe('parseDotenv: errors', () => {
  it('rejects a bad character in a key with file and line', () => {
    expect(parseError('A=1\n\nMY$KEY=2\n')).toBe('app/.env:3:3: unexpected character "$" in a variable name (letters, digits and _ . - [ ] only)');
    expect(parseError('A # comment\n')).toBe('app/.env:1:3: unexpected character "#" in a variable name (letters, digits and _ . - [ ] only)');
  });

  it('never repeats the text of the line: a line without "=" is often a pasted secret', () => {
    expect(parseError('DB_PASSWORD hunter2-Secret-99\n')).toBe('app/.env:1:12: a variable name cannot contain whitespace (is the "=" missing?)');
    expect(parseError('ghp/Pasted-Token-42\n')).toBe('app/.env:1:4: unexpected character "/" in a variable name (letters, digits and _ . - [ ] only)');
  });

  it('rejects whitespace inside a key and a missing key', () => {
    expect(parseError('MY KEY=1\n')).toBe('app/.env:1:3: a variable name cannot contain whitespace (is the "=" missing?)');
    expect(parseError('A=1\n=2\n')).toBe('app/.env:2: missing variable name before the "=" or ":"');
  });

  it('reports an unterminated quote at the line where the value starts', () => {
    expect(parseError('A=1\n\nB="abc\nC=2\nD=3\n')).toBe('app/.env:3: unterminated quoted value for B');
    expect(parseError("A='x\\'\n")).toBe('app/.env:1: unterminated quoted value for A');
    expect(parseError('A="x\\"')).toBe('app/.env:1: unterminated quoted value for A');
  });

  it('rejects text after a closing quote at the line of that quote', () => {
    expect(parseError('A="x\ny" B=2\n')).toBe('app/.env:2: unexpected text after the closing quote of A');
  });

  it('sets file and line on the error object', () => {
    try {
      parseDotenv('\n\n"A"=1\n', 'x.env');
      expect.unreachable();
    } catch (err) {
      expect(err).toMatchObject({ name: 'UsageError', exitCode: 2, file: 'x.env', line: 3 });
    }
  });
});

describe('formatDotenvValue', () => {
  it('writes plain values unquoted', () => {
    expect(formatDotenvValue('')).toBe('');
    expect(formatDotenvValue('https://api.honeycomb.io:443/v1,a=b+c@d_e-f.g')).toBe('https://api.honeycomb.io:443/v1,a=b+c@d_e-f.g');
  });

  it('single-quotes values with $ so compose does not interpolate them', () => {
    expect(formatDotenvValue('x-honeycomb-team=${KEY}')).toBe("'x-honeycomb-team=${KEY}'");
    expect(formatDotenvValue("it's $5")).toBe("'it\\'s $5'");
  });

  it('double-quotes spaces, #, quotes and newlines', () => {
    expect(formatDotenvValue('a b')).toBe('"a b"');
    expect(formatDotenvValue('#x')).toBe('"#x"');
    expect(formatDotenvValue('say "hi" \\o/')).toBe('"say \\"hi\\" \\\\o/"');
    expect(formatDotenvValue("l1\nl2\r'")).toBe('"l1\\nl2\\r\'"');
  });

  it('falls back to double quotes with $$ when single quotes cannot hold a $ value', () => {
    expect(formatDotenvValue('$a\\')).toBe('"$$a\\\\"');
    expect(formatDotenvValue("$a\\'")).toBe('"$$a\\\\\'"');
    expect(formatDotenvValue('$a\nb')).toBe('"$$a\\nb"');
  });

  it('round-trips through parseDotenv for values without $', () => {
    for (const value of ['', 'plain', 'a b', ' lead', 'x #y', '"q"', "'s'", 'a\\nb', 'l1\nl2', 'tab\there', 'é']) {
      expect(parseDotenv(`K=${formatDotenvValue(value)}\n`).entries[0]?.value).toBe(value);
    }
  });

  it('round-trips through parseDotenv for single-quoted $ values', () => {
    for (const value of ['$x', '${A:-b}', "it's $x", 'a\\b$']) {
      const entry = parseDotenv(`K=${formatDotenvValue(value)}\n`).entries[0];
      expect([entry?.value, entry?.quote]).toEqual([value, 'single']);
    }
  });
});

describe('appendDotenvKeys', () => {
  const text = '# keep me\r\nexport A=1  # spaced\r\n\r\nB="x\r\ny"\r\nINHERITED\r\n';

  it('returns the very same string when nothing is added', () => {
    expect(appendDotenvKeys(text, [])).toBe(text);
    expect(
      appendDotenvKeys(text, [
        { key: 'A', value: 'other' },
        { key: 'INHERITED', value: 'v' },
      ]),
    ).toBe(text);
  });

  it('appends missing keys after the untouched text with the file eol', () => {
    const out = appendDotenvKeys(text, [
      { key: 'A', value: 'ignored' },
      { key: 'C', value: 'a b', comment: 'added by obs' },
      { key: 'D', value: '${X}' },
      { key: 'C', value: 'second C is ignored' },
    ]);
    expect(out).toBe(text + '# added by obs\r\nC="a b"\r\nD=\'${X}\'\r\n');
  });

  it('is idempotent', () => {
    const additions = [{ key: 'C', value: '3', comment: 'three\n\nlines' }];
    const once = appendDotenvKeys(text, additions);
    expect(once).toBe(text + '# three\r\n#\r\n# lines\r\nC=3\r\n');
    expect(appendDotenvKeys(once, additions)).toBe(once);
  });

  it('keeps a missing final newline: the line ending goes before the new lines, only when appending', () => {
    expect(appendDotenvKeys('A=1', [{ key: 'B', value: '2' }])).toBe('A=1\nB=2');
    expect(appendDotenvKeys('A=1\r\n# end', [{ key: 'B', value: '2', comment: 'c' }])).toBe('A=1\r\n# end\r\n# c\r\nB=2');
    expect(appendDotenvKeys(appendDotenvKeys('A=1', [{ key: 'B', value: '2' }]), [{ key: 'C', value: '3' }])).toBe('A=1\nB=2\nC=3');
    expect(appendDotenvKeys('A=1', [{ key: 'A', value: '2' }])).toBe('A=1');
  });

  it('writes just the new lines into an empty file and keeps a BOM', () => {
    expect(appendDotenvKeys('', [{ key: 'A', value: '1', comment: 'c' }])).toBe('# c\nA=1\n');
    expect(appendDotenvKeys('\uFEFF', [{ key: 'A', value: '1' }])).toBe('\uFEFFA=1\n');
    expect(appendDotenvKeys('\uFEFFX=0\n', [{ key: 'A', value: '1' }])).toBe('\uFEFFX=0\nA=1\n');
  });

  it('produces text that parses back to the added values', () => {
    const out = appendDotenvKeys('A=1\n', [
      { key: 'H', value: 'x-honeycomb-team=${HONEYCOMB_API_KEY}' },
      { key: 'S', value: 'two words # not a comment' },
    ]);
    expect(rows(out)).toEqual([
      ['A', '1', 'none', 1],
      ['H', 'x-honeycomb-team=${HONEYCOMB_API_KEY}', 'single', 2],
      ['S', 'two words # not a comment', 'double', 3],
    ]);
  });

  it('refuses to append an invalid key or to edit a file that does not parse', () => {
    expect(errorOf(() => appendDotenvKeys('', [{ key: 'BAD KEY', value: '1' }], '.env'))).toBe('.env: invalid variable name "BAD KEY"');
    expect(errorOf(() => appendDotenvKeys('A="x\n', [{ key: 'B', value: '1' }], '.env'))).toBe('.env:1: unterminated quoted value for A');
  });
});

describe('setDotenvValue', () => {
  it('replaces only the value, keeping export, spacing and the inline comment', () => {
    const text = '# top\r\nexport  A = old  # why\r\nB=2\r\n';
    expect(setDotenvValue(text, 'A', 'new')).toBe('# top\r\nexport  A = new  # why\r\nB=2\r\n');
  });

  it('replaces a quoted or multi-line value and requotes as needed', () => {
    const text = 'A="l1\nl2" # c\nB=\'$x\'\nC=3';
    expect(setDotenvValue(text, 'A', 'one line')).toBe('A="one line" # c\nB=\'$x\'\nC=3');
    expect(setDotenvValue(text, 'B', 'plain')).toBe('A="l1\nl2" # c\nB=plain\nC=3');
    expect(setDotenvValue(text, 'C', '$y')).toBe("A=\"l1\nl2\" # c\nB='$x'\nC='$y'");
  });

  it('fills an empty value and gives an inherited key a value', () => {
    expect(setDotenvValue('A=\nB\n', 'A', '1')).toBe('A=1\nB\n');
    expect(setDotenvValue('A=\nB  \n', 'B', '2')).toBe('A=\nB=2  \n');
    expect(setDotenvValue('\uFEFFA=1\n', 'A', '2')).toBe('\uFEFFA=2\n');
  });

  it('changes the last duplicate, the one compose uses', () => {
    expect(setDotenvValue('A=1\nA=2\n', 'A', '3')).toBe('A=1\nA=3\n');
  });

  it('throws a UsageError for a missing key', () => {
    expect(errorOf(() => setDotenvValue('A=1\n', 'B', '2', '.env'))).toBe('.env: B is not set in this file');
  });
});

describe('removeDotenvPlaceholders', () => {
  const markers = new Map([
    ['ROLLBAR_ACCESS_TOKEN', ['Rollbar token. Never commit it.']],
    ['AWS_DEFAULT_REGION', ['AWS region.']],
  ]);

  it('takes out an empty KEY= under the comment obs writes for it, every other byte kept', () => {
    const text = 'DB=x\r\n# Rollbar token. Never commit it.\r\nROLLBAR_ACCESS_TOKEN=\r\n# AWS region.\r\nAWS_DEFAULT_REGION=\r\n';
    expect(removeDotenvPlaceholders(text, markers)).toBe('DB=x\r\n');
  });

  it('leaves a filled-in value, a changed comment, a key set twice and a file without them alone', () => {
    const filled = '# Rollbar token. Never commit it.\nROLLBAR_ACCESS_TOKEN=abc\n';
    expect(removeDotenvPlaceholders(filled, markers)).toBe(filled);
    const comment = '# our region\nAWS_DEFAULT_REGION=\n';
    expect(removeDotenvPlaceholders(comment, markers)).toBe(comment);
    const twice = '# AWS region.\nAWS_DEFAULT_REGION=\nAWS_DEFAULT_REGION=eu-west-1\n';
    expect(removeDotenvPlaceholders(twice, markers)).toBe(twice);
    expect(removeDotenvPlaceholders('A=1', markers)).toBe('A=1');
  });

  it('an unterminated last line goes too, with the line ending before it: the file stays without a final newline', () => {
    expect(removeDotenvPlaceholders('A=1\n# AWS region.\nAWS_DEFAULT_REGION=', markers)).toBe('A=1');
    expect(removeDotenvPlaceholders('A=1\r\n# AWS region.\r\nAWS_DEFAULT_REGION=', markers)).toBe('A=1');
    expect(removeDotenvPlaceholders('A=1\n# AWS region.\nAWS_DEFAULT_REGION=\nB=2', markers)).toBe('A=1\nB=2');
    expect(removeDotenvPlaceholders('A=1\n\n# AWS region.\nAWS_DEFAULT_REGION=\n', markers)).toBe('A=1\n\n');
  });

  it('undoes appendDotenvKeys byte for byte, with or without a final newline', () => {
    for (const text of ['A=1', 'A=1\n', 'A=1\r\nB=2', 'A=1\r\n\r\n', '']) {
      const added = appendDotenvKeys(text, [{ key: 'AWS_DEFAULT_REGION', value: '', comment: 'AWS region.' }]);
      expect(removeDotenvPlaceholders(added, markers), JSON.stringify(text)).toBe(text);
    }
  });
});
