import { describe, expect, it } from 'vitest';
import { portRange, portsOf, publishedPortOf, unsetDefault } from '../../src/compose/ports.js';
import { corsOrigins } from '../../src/collector/cors.js';

describe('compose port numbers (one reader for init, the CORS origins and doctor)', () => {
  it('reads a port or a range, with spaces around; anything else is not a port', () => {
    expect(portRange('3000')).toEqual({ first: 3000, last: 3000 });
    expect(portRange(' 3000-3002 ')).toEqual({ first: 3000, last: 3002 });
    for (const text of ['', '${PORT}', '3000:3000', '127.0.0.1:80', 'http', '30 00', '-1']) expect(portRange(text)).toBeUndefined();
  });

  it("takes ${PORT:-3000}'s default only where the caller has no value for it", () => {
    expect(unsetDefault('${PORT:-3000}')).toBe('3000');
    expect(unsetDefault(' ${PORT-3000} ')).toBe('3000');
    expect(unsetDefault('${PORT}')).toBe('${PORT}');
  });

  it('lists a range up to a cap, nothing for a reversed one', () => {
    expect(portsOf({ first: 8000, last: 8002 }, 20)).toEqual([8000, 8001, 8002]);
    expect(portsOf({ first: 1, last: 65535 }, 3)).toEqual([1, 2, 3]);
    expect(portsOf({ first: 9, last: 8 }, 20)).toEqual([]);
  });

  it('CORS origins come from the same reading (default of ${PORT:-N}, out-of-range refused)', () => {
    const { origins, unknown } = corsOrigins(
      [
        {
          service: 'web',
          ports: [
            { published: '${WEB:-3000}', target: '3000' },
            { published: '70000', target: '80' },
            { published: '${P}', target: '80' },
          ],
        },
      ],
      { gitpod: false, codespaces: false },
    );
    expect(origins).toEqual(['http://localhost:3000', 'http://127.0.0.1:3000']);
    expect(unknown.map((u) => u.published)).toEqual(['70000', '${P}']);
  });
});

describe('publishedPortOf', () => {
  it('is the host port of one container port published one to one, else undefined', () => {
    expect(
      publishedPortOf(
        [
          { target: '4317', published: '4317' },
          { target: '4318', published: '14318' },
        ],
        4318,
      ),
    ).toBe(14318);
    expect(publishedPortOf([{ target: ' 4318 ', published: '4318' }], 4318)).toBe(4318);
    expect(publishedPortOf([{ target: '4318' }], 4318)).toBeUndefined();
    expect(publishedPortOf([{ target: '4318', published: '${OTLP_PORT}' }], 4318)).toBeUndefined();
    expect(publishedPortOf([{ target: '4300-4320', published: '4300-4320' }], 4318)).toBeUndefined();
    expect(publishedPortOf([{ target: '4318', published: '5000-5001' }], 4318)).toBeUndefined();
  });
});
