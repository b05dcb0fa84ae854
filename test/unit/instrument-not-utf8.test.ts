import { describe, expect, it } from 'vitest';
import { holdBackNonUtf8Edits } from '../../src/instrument/not-utf8.js';

describe('holdBackNonUtf8Edits', () => {
  const planned = {
    changes: [
      { path: 'api/tracing.cjs', before: null, after: '// module\n' },
      {
        path: 'api/package.json',
        before: '{\n  "dependencies": {\n    "express": "^4"\n  }\n}\n',
        after: '{\n  "dependencies": {\n    "@opentelemetry/api": "~1.9.0",\n    "express": "^4"\n  }\n}\n',
      },
    ],
    notes: ['api: run npm install'],
    environment: [{ key: 'NODE_OPTIONS', value: '--require ./tracing.cjs' }],
  };

  it('leaves a plan alone when no edited file is outside UTF-8', () => {
    expect(holdBackNonUtf8Edits('api', planned, new Set(['api/tracing.cjs', 'api/other.js']))).toBe(planned);
  });

  it('keeps only the created files and says, line by line, what every held-back edit adds', () => {
    expect(holdBackNonUtf8Edits('api', planned, new Set(['api/package.json']))).toEqual({
      changes: [planned.changes[0]],
      notes: [
        'api: run npm install',
        [
          'api: api/package.json is not UTF-8 text, and an edit would change its other bytes. obs writes api/tracing.cjs and changes nothing else; to finish by hand:',
          '    add after line 2 of api/package.json:',
          '            "@opentelemetry/api": "~1.9.0",',
          '    set on the service in the compose file: NODE_OPTIONS: "--require ./tracing.cjs"',
        ].join('\n'),
      ],
      environment: [],
    });
  });

  it('names the lines an edit rewrites (an edit that is not a pure insertion)', () => {
    const edit = { path: 'Gemfile', before: 'a\nb\nc\n', after: 'a\nB\nc\n' };
    expect(holdBackNonUtf8Edits('web', { changes: [edit], notes: [], environment: [] }, new Set(['Gemfile'])).notes).toEqual([
      'web: Gemfile is not UTF-8 text, and an edit would change its other bytes. obs writes nothing and changes nothing else; to finish by hand:\n' +
        '    replace lines 2-2 of Gemfile with:\n' +
        '        B',
    ]);
  });
});
