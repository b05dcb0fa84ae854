import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { makeEnvEditContext } from '../../src/compose/edit-env.js';
import { parseComposeText } from '../../src/compose/parse.js';
import { buildProject } from '../../src/compose/project.js';
import { applyTextEdits } from '../../src/text/edits.js';
import { addServiceEdit, findXrayDaemon, xrayDaemonFlow, xrayDaemonLines } from '../../src/compose/xray-daemon.js';

const lf = (...lines: string[]) => lines.map((l) => `${l}\n`).join('');
const crlf = (...lines: string[]) => lines.map((l) => `${l}\r\n`).join('');

/** The daemon block obs writes, at `indent` with a nesting `step`. */
function daemon(indent: string, step: string, name = 'xray-daemon'): string[] {
  return [
    `${name}:`,
    `${step}image: "amazon/aws-xray-daemon:3.6.6"`,
    `${step}environment:`,
    `${step}${step}AWS_ACCESS_KEY_ID: "\${AWS_ACCESS_KEY_ID}"`,
    `${step}${step}AWS_SECRET_ACCESS_KEY: "\${AWS_SECRET_ACCESS_KEY}"`,
    `${step}${step}AWS_REGION: "\${AWS_DEFAULT_REGION}"`,
    `${step}# Added to the image's entrypoint (/xray -t 0.0.0.0:2000 -b 0.0.0.0:2000): local mode.`,
    `${step}command: ["-o"]`,
    `${step}ports:`,
    `${step}${step}- "2000:2000/udp"`,
  ].map((l) => indent + l);
}

/** The file with the daemon appended, using the file's own indent step; checked to parse. */
function withDaemon(text: string): string {
  const file = parseComposeText('docker-compose.yml', text);
  const step = makeEnvEditContext(file).indentStep;
  const out = applyTextEdits(text, [addServiceEdit(file, (s) => xrayDaemonLines('xray-daemon', s), step, xrayDaemonFlow('xray-daemon'))]);
  parseComposeText('docker-compose.yml', out);
  return out;
}

describe('xrayDaemonLines', () => {
  it('renders the service with the given step and passes only flags as command', () => {
    expect(xrayDaemonLines('xray', '  ')).toEqual(daemon('', '  ', 'xray'));
    expect(xrayDaemonLines('xray-daemon', '    ')[1]).toBe('    image: "amazon/aws-xray-daemon:3.6.6"');
  });

  it('reads back as the daemon compose would run', () => {
    const text = withDaemon(lf('services:', '  api:', '    image: x'));
    const service = buildProject([parseComposeText('c.yml', text)]).services.find((s) => s.name === 'xray-daemon')!;
    expect(service.config.image).toBe('amazon/aws-xray-daemon:3.6.6');
    expect(service.config.command).toEqual(['-o']);
    expect(service.config.ports).toEqual([{ published: '2000', target: '2000', protocol: 'udp' }]);
    expect(Object.fromEntries(service.config.environment)).toEqual({
      AWS_ACCESS_KEY_ID: '${AWS_ACCESS_KEY_ID}',
      AWS_SECRET_ACCESS_KEY: '${AWS_SECRET_ACCESS_KEY}',
      AWS_REGION: '${AWS_DEFAULT_REGION}',
    });
  });
});

describe('addServiceEdit', () => {
  it('appends right after the last service when services are not separated by blank lines', () => {
    expect(withDaemon(lf('services:', '  api:', '    image: x', '  db:', '    image: p'))).toBe(lf('services:', '  api:', '    image: x', '  db:', '    image: p', ...daemon('  ', '  ')));
  });

  it('adds a blank line first when services are separated by blank lines, before the next top-level key', () => {
    expect(withDaemon(lf('services:', '  api:', '    image: x', '', '  db:', '    image: p', 'volumes:', '  d: {}'))).toBe(
      lf('services:', '  api:', '    image: x', '', '  db:', '    image: p', '', ...daemon('  ', '  '), 'volumes:', '  d: {}'),
    );
  });

  it('still sees the blank line when a comment sits above the next service', () => {
    expect(withDaemon(lf('services:', '  api:', '    image: x', '', '  # the database', '  db:', '    image: p'))).toBe(
      lf('services:', '  api:', '    image: x', '', '  # the database', '  db:', '    image: p', '', ...daemon('  ', '  ')),
    );
  });

  it('adds no blank line for a comment above the next service without a blank line', () => {
    expect(withDaemon(lf('services:', '  api:', '    image: x', '  # the database', '  db:', '    image: p'))).toBe(
      lf('services:', '  api:', '    image: x', '  # the database', '  db:', '    image: p', ...daemon('  ', '  ')),
    );
  });

  it('ignores blank lines inside a service', () => {
    expect(withDaemon(lf('services:', '  api:', '    image: x', '', '    ports: []', '  db:', '    image: p'))).toBe(
      lf('services:', '  api:', '    image: x', '', '    ports: []', '  db:', '    image: p', ...daemon('  ', '  ')),
    );
  });

  it('uses the indentation of a 4-space file', () => {
    expect(withDaemon(lf('services:', '    api:', '        image: x', '', '    db:', '        image: p'))).toBe(
      lf('services:', '    api:', '        image: x', '', '    db:', '        image: p', '', ...daemon('    ', '    ')),
    );
  });

  it('follows a single service, a block scalar', () => {
    expect(withDaemon(lf('services:', '  api:', '    image: x'))).toBe(lf('services:', '  api:', '    image: x', ...daemon('  ', '  ')));
    expect(withDaemon(lf('services:', '  api:', '    command: |', '      run'))).toBe(lf('services:', '  api:', '    command: |', '      run', ...daemon('  ', '  ')));
  });

  it('writes CRLF lines into a CRLF file and terminates a last line without newline', () => {
    expect(withDaemon(crlf('services:', '  api:', '    image: x', '', '  db:', '    image: p'))).toBe(
      crlf('services:', '  api:', '    image: x', '', '  db:', '    image: p', '', ...daemon('  ', '  ')),
    );
    expect(withDaemon('services:\n  api:\n    image: x')).toBe(lf('services:', '  api:', '    image: x', ...daemon('  ', '  ')));
  });

  // Pins: `services: {...}` is valid compose; the daemon joins it in flow style, inside the braces.
  it('adds the daemon in flow style to a flow-style services map', () => {
    const out = withDaemon(lf('services: {api: {image: x}}'));
    expect(out).toBe(lf(`services: {api: {image: x}, ${xrayDaemonFlow('xray-daemon')}}`));
    const daemonService = (parse(out) as { services: Record<string, unknown> }).services['xray-daemon'];
    expect(daemonService).toEqual(parse(lf('services:', ...daemon('  ', '  '))).services['xray-daemon']);
  });

  // Pins: only a real blank line between services counts; a one-line or empty first service adds none.
  it('adds no blank line when the first service is a one-line flow map', () => {
    expect(withDaemon(lf('services:', '  api: {image: x}', '  db:', '    image: p'))).toBe(lf('services:', '  api: {image: x}', '  db:', '    image: p', ...daemon('  ', '  ')));
  });

  // Pins: comment lines indented under the last service stay above the daemon, with that service.
  it('keeps a trailing comment of the last service with that service', () => {
    expect(withDaemon(lf('services:', '  api:', '    image: x', '    # ports: []', 'volumes: {}'))).toBe(
      lf('services:', '  api:', '    image: x', '    # ports: []', ...daemon('  ', '  '), 'volumes: {}'),
    );
    expect(withDaemon(crlf('services:', '  api:', '    image: x', '    # ports: []'))).toBe(crlf('services:', '  api:', '    image: x', '    # ports: []', ...daemon('  ', '  ')));
  });
});

describe('findXrayDaemon', () => {
  const project = (text: string) => buildProject([parseComposeText('c.yml', text)]);

  it('finds the daemon by image, whatever the service is called', () => {
    expect(findXrayDaemon(project(lf('services:', '  api:', '    image: x', '  tracing:', '    image: amazon/aws-xray-daemon:3.x')))?.name).toBe('tracing');
    expect(findXrayDaemon(project(lf('services:', '  xray:', '    image: public.ecr.aws/xray/aws-xray-daemon:latest')))?.name).toBe('xray');
  });

  it('accepts another xray image only on a service named like it', () => {
    expect(findXrayDaemon(project(lf('services:', '  xray:', '    image: myorg/xray:1')))?.name).toBe('xray');
    expect(findXrayDaemon(project(lf('services:', '  proxy:', '    image: myorg/xray:1')))).toBeUndefined();
    expect(findXrayDaemon(project(lf('services:', '  xray:', '    build: ./xray')))).toBeUndefined();
  });
});
