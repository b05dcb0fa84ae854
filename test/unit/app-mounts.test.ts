import { describe, expect, it } from 'vitest';
import { parseComposeText } from '../../src/compose/parse.js';
import { buildProject } from '../../src/compose/project.js';
import { appMountTargets } from '../../src/project/service-dir.js';

/** Bind mounts that show a service's app folder in its container: init and doctor count the files there (tracing.cjs). */
describe('appMountTargets', () => {
  const service = (...texts: string[]) => buildProject(texts.map((t, i) => parseComposeText(`compose${i}.yml`, t))).services[0]!;

  it('short and long syntax; the project folder, a parent of the app folder, the app folder itself', () => {
    const api = service(
      'services:\n  api:\n    build: ./api\n    volumes:\n      - ./api:/app\n      - .:/srv/\n      - node_modules:/app/node_modules\n      - type: bind\n        source: ./api/\n        target: /code\n      - type: volume\n        source: data\n        target: /data\n',
    );
    expect(appMountTargets('', api, 'api')).toEqual(['/app', '/srv/api', '/code']);
  });

  it('an override file replaces a mount by target; absolute, ~ and ${VAR} sources and unrelated folders count not', () => {
    const web = service(
      'services:\n  web:\n    build: .\n    volumes: ["./:/app", "/home/me/src:/src", "~/x:/x", "${PWD}:/pwd", "./docs:/docs"]\n',
      'services:\n  web:\n    volumes: ["./other:/app"]\n',
    );
    expect(appMountTargets('', web, '')).toEqual([]);
    // Compose files in a folder: sources are relative to it.
    expect(appMountTargets('deploy', service('services:\n  web:\n    build: ..\n    volumes: ["..:/app"]\n'), '')).toEqual(['/app']);
  });
});
