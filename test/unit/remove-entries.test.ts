import { isMap, type YAMLMap } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseComposeText, servicesMap, type ComposeFile } from '../../src/compose/parse.js';
import { removeEnvironmentKeys } from '../../src/compose/remove-entries.js';
import { applyTextEdits } from '../../src/text/edits.js';

const lf = (...lines: string[]) => lines.map((l) => `${l}\n`).join('');

function serviceMap(file: ComposeFile, name: string): YAMLMap {
  const node = servicesMap(file)!.get(name, true);
  if (!isMap(node)) throw new Error(`no service ${name}`);
  return node;
}

function removeFrom(text: string, service: string, keys: string[]): string {
  const file = parseComposeText('docker-compose.yml', text);
  return applyTextEdits(text, removeEnvironmentKeys(file, serviceMap(file, service), keys).edits);
}

/** obs remove on a service that inherits a list through <<: and had its own copy written by init (ledermann/docker-rails). */
describe('removeEnvironmentKeys: a copy of the merged list', () => {
  const head = ['services:', '  app: &app_base', '    build: .', '    environment:', '      - DB_HOST=db', '      - OTEL_SERVICE_NAME=app', '  worker:', '    <<: *app_base', '    command: sidekiq'];

  it('goes whole once only the shared entries (but obs keys) are left: the merge serves again', () => {
    const text = lf(...head, '    environment:', '      - DB_HOST=db', '      - "OTEL_SERVICE_NAME=worker"');
    expect(removeFrom(text, 'worker', ['OTEL_SERVICE_NAME'])).toBe(lf(...head));
  });

  it('stays, less obs keys, when the user changed or added an entry since', () => {
    const changed = lf(...head, '    environment:', '      - DB_HOST=other', '      - "OTEL_SERVICE_NAME=worker"');
    expect(removeFrom(changed, 'worker', ['OTEL_SERVICE_NAME'])).toBe(lf(...head, '    environment:', '      - DB_HOST=other'));
    const added = lf(...head, '    environment:', '      - DB_HOST=db', '      - QUEUE=mail', '      - "OTEL_SERVICE_NAME=worker"');
    expect(removeFrom(added, 'worker', ['OTEL_SERVICE_NAME'])).toBe(lf(...head, '    environment:', '      - DB_HOST=db', '      - QUEUE=mail'));
  });
});
