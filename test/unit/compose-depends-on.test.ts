import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { dropDependency } from '../../src/compose/depends-on.js';
import { parseComposeText } from '../../src/compose/parse.js';
import { buildProject } from '../../src/compose/project.js';
import { applyTextEdits } from '../../src/text/edits.js';

/** `app`'s depends_on after dropping `xray-daemon`, as compose reads the edited text. */
function dropped(text: string): { text: string; dependsOn: unknown; byHand: boolean } {
  const file = parseComposeText('docker-compose.yml', text);
  const app = buildProject([file]).services.find((s) => s.name === 'app')!;
  const drop = dropDependency(app, 'xray-daemon');
  expect(drop.found).toBe(true);
  const after = applyTextEdits(
    text,
    drop.edits.map((e) => e.edit),
  );
  const value = parse(after, { merge: true }) as { services: { app: { depends_on?: unknown } } };
  return { text: after, dependsOn: value.services.app.depends_on, byHand: drop.byHand };
}

const daemon = '  xray-daemon:\n    image: amazon/aws-xray-daemon\n';

describe('dropDependency', () => {
  it('takes one item out of a block list, the other lines untouched', () => {
    const out = dropped(`services:\n  app:\n    image: a\n    depends_on:\n      - db\n      - xray-daemon # segments\n    ports: ["80:80"]\n  db:\n    image: postgres\n${daemon}`);
    expect(out.dependsOn).toEqual(['db']);
    expect(out.text).toContain('      - db\n    ports: ["80:80"]\n');
  });

  it('takes the whole key out when the daemon was its only entry (a compact list too)', () => {
    expect(dropped(`services:\n  app:\n    image: a\n    depends_on:\n      - xray-daemon \n    ports: ["80:80"]\n${daemon}`).text).toBe(
      `services:\n  app:\n    image: a\n    ports: ["80:80"]\n${daemon}`,
    );
    expect(dropped(`services:\n  app:\n    depends_on:\n    - xray-daemon\n    image: a\n${daemon}`).text).toBe(`services:\n  app:\n    image: a\n${daemon}`);
    expect(dropped(`services:\n  app:\n    image: a\n    depends_on: [xray-daemon]\n${daemon}`).text).toBe(`services:\n  app:\n    image: a\n${daemon}`);
  });

  it('flow lists: the item and one comma', () => {
    expect(dropped(`services:\n  app:\n    image: a\n    depends_on: [db, xray-daemon, cache]\n  db: {image: p}\n  cache: {image: r}\n${daemon}`).dependsOn).toEqual(['db', 'cache']);
    expect(dropped(`services:\n  app:\n    image: a\n    depends_on: [xray-daemon, db]\n  db: {image: p}\n${daemon}`).text).toContain('depends_on: [db]\n');
  });

  it('the long form (a map with conditions), block and flow', () => {
    const block = dropped(
      `services:\n  app:\n    image: a\n    depends_on:\n      xray-daemon:\n        condition: service_started\n        # why\n      db:\n        condition: service_healthy\n  db:\n    image: p\n${daemon}`,
    );
    expect(block.dependsOn).toEqual({ db: { condition: 'service_healthy' } });
    const flow = dropped(`services:\n  app:\n    image: a\n    depends_on: {db: {condition: service_started}, xray-daemon: {condition: service_started}}\n  db:\n    image: p\n${daemon}`);
    expect(flow.dependsOn).toEqual({ db: { condition: 'service_started' } });
  });

  it('an entry merged in from an anchor, or a flow-style service, is left for the user', () => {
    expect(dropped(`x-deps: &deps\n  depends_on: [xray-daemon]\nservices:\n  app:\n    <<: *deps\n    image: a\n${daemon}`).byHand).toBe(true);
    expect(dropped(`services:\n  app: {image: a, depends_on: [xray-daemon]}\n${daemon}`).byHand).toBe(true);
  });

  it('keeps CRLF line endings', () => {
    const text = 'services:\r\n  app:\r\n    image: a\r\n    depends_on:\r\n      - db\r\n      - xray-daemon\r\n  db:\r\n    image: p\r\n  xray-daemon:\r\n    image: x\r\n';
    expect(dropped(text).text).toBe('services:\r\n  app:\r\n    image: a\r\n    depends_on:\r\n      - db\r\n  db:\r\n    image: p\r\n  xray-daemon:\r\n    image: x\r\n');
  });
});
