/**
 * The collector service obs writes into a compose file, and the edits that take the X-Ray
 * daemon out when the collector replaces it. Text only: the plan proves the result by re-reading.
 */
import { isMap, isPair, isScalar, isSeq, type Node, type Pair, type Scalar } from 'yaml';
import type { ComposeService } from './project.js';
import { servicesMap, type ComposeFile } from './parse.js';
import { lineStartOf, type TextEdit } from '../text/edits.js';
import { renderScalar, quoteStyleOf } from './scalars.js';

export interface CollectorServiceSpec {
  name: string;
  image: string;
  /** `./otel-collector-config.yaml`: the config file, relative to the compose file. */
  configSource: string;
  configTarget: string;
  /** Variables the collector's config reads, each set from the project's variable of the same use. */
  environment: readonly { key: string; value: string }[];
  /** Host port published for browsers (to the collector's 4318), when a browser app sends to it. */
  publishedPort?: number;
  /** Binary inside the image, for the health check. */
  binary: string;
  networks?: readonly string[];
}

const quote = (text: string) => JSON.stringify(text);

/**
 * The image has no shell or HTTP client (it is built FROM scratch), so the health check runs the
 * collector binary itself: `validate` loads the mounted config with the container's environment
 * and fails on a missing file, an unknown component or a bad value. Liveness is served by the
 * health_check extension on 13133 for anything that can make an HTTP request.
 */
function healthTest(spec: CollectorServiceSpec): string {
  return `[${['CMD', spec.binary, 'validate', `--config=${spec.configTarget}`].map(quote).join(', ')}]`;
}

export function collectorServiceLines(spec: CollectorServiceSpec, step: string): string[] {
  return [
    `${spec.name}:`,
    `${step}image: ${quote(spec.image)}`,
    `${step}# Apps send OTLP here; the collector holds the keys and exports to each backend (config written by obs init).`,
    `${step}volumes:`,
    `${step}${step}- ${quote(`${spec.configSource}:${spec.configTarget}:ro`)}`,
    ...(spec.environment.length > 0 ? [`${step}environment:`, ...spec.environment.map((e) => `${step}${step}${e.key}: ${quote(e.value)}`)] : []),
    ...(spec.publishedPort !== undefined
      ? [`${step}# Published for the browser app's spans only (CORS allows its pages).`, `${step}ports:`, `${step}${step}- ${quote(`${spec.publishedPort}:4318`)}`]
      : []),
    `${step}healthcheck:`,
    `${step}${step}test: ${healthTest(spec)}`,
    `${step}${step}interval: 30s`,
    `${step}${step}timeout: 10s`,
    `${step}${step}retries: 3`,
    ...(spec.networks ? [`${step}networks:`, ...spec.networks.map((n) => `${step}${step}- ${n}`)] : []),
  ];
}

/** The same service in flow style, for a file whose `services` are written `{...}`. */
export function collectorServiceFlow(spec: CollectorServiceSpec): string {
  const parts = [
    `image: ${quote(spec.image)}`,
    `volumes: [${quote(`${spec.configSource}:${spec.configTarget}:ro`)}]`,
    ...(spec.environment.length > 0 ? [`environment: {${spec.environment.map((e) => `${e.key}: ${quote(e.value)}`).join(', ')}}`] : []),
    ...(spec.publishedPort !== undefined ? [`ports: [${quote(`${spec.publishedPort}:4318`)}]`] : []),
    `healthcheck: {test: ${healthTest(spec)}, interval: 30s, timeout: 10s, retries: 3}`,
    ...(spec.networks ? [`networks: [${spec.networks.join(', ')}]`] : []),
  ];
  return `${spec.name}: {${parts.join(', ')}}`;
}

/**
 * Where a service defined once, in block style, sits in its file: from its key's line to the end
 * of its last non-blank line (`contentEnd`), and on to the next line indented no deeper than its key
 * (`end`: blank lines between belong to what follows). undefined when that is not plain text to cut.
 */
function serviceBlock(service: ComposeService): { file: ComposeFile; start: number; indent: number; contentEnd: number; end: number; siblings: number } | undefined {
  if (service.definitions.length !== 1) return undefined;
  const { file, pair } = service.definitions[0]!;
  const services = servicesMap(file);
  if (!services || services.flow) return undefined;
  const text = file.text;
  const keyStart = (pair.key as Node).range![0];
  const start = lineStartOf(text, keyStart);
  if (text.slice(start, keyStart).trim() !== '') return undefined;
  const indent = keyStart - start;
  const afterKey = text.indexOf('\n', start) + 1 || text.length;
  let end = text.length;
  let contentEnd = afterKey;
  for (let at = afterKey; at < text.length;) {
    const next = text.indexOf('\n', at);
    const lineEnd = next === -1 ? text.length : next + 1;
    const line = text.slice(at, next === -1 ? text.length : next);
    if (line.trim() !== '') {
      if (line.length - line.trimStart().length <= indent) {
        end = at;
        break;
      }
      contentEnd = lineEnd;
    }
    at = lineEnd;
  }
  return { file, start, indent, contentEnd, end, siblings: services.items.length - 1 };
}

/**
 * Removes a service defined once, in block style. Blank lines after it separate it from what
 * follows: they stay, and a blank line before it goes instead (else the two would stack up).
 * undefined when that is not safe as text (flow style, several definitions, the only service of
 * its file): the caller says what to remove by hand.
 */
export function removeServiceEdit(service: ComposeService): TextEdit | undefined {
  const block = serviceBlock(service);
  if (!block || block.siblings < 1) return undefined;
  const { file, start, contentEnd, end } = block;
  const blankBefore = /\n([ \t]*\r?\n)$/.exec(file.text.slice(0, start));
  // The last service of the map (the file ends, or a top-level key follows) takes the blank line
  // before it, as obs appends one; between two services that line parts the neighbours.
  const last = end === file.text.length || /^[^\s#]/.test(file.text.slice(end));
  if (contentEnd === end) return { start: blankBefore && last ? start - blankBefore[1]!.length : start, end, text: '' };
  return { start: blankBefore ? start - blankBefore[1]!.length : start, end: contentEnd, text: '' };
}

/**
 * `depends_on` entries naming `from` become `to` in `service` (list or map form, own map only).
 * An entry inherited through an anchor is left as it is and reported by the caller.
 */
export function renameDependency(service: ComposeService, from: string, to: string): { file: ComposeFile; edit: TextEdit }[] {
  const edits: { file: ComposeFile; edit: TextEdit }[] = [];
  for (const { file, map } of service.definitions) {
    if (!map) continue;
    const pair = map.items.find((p): p is Pair => isPair(p) && isScalar(p.key) && p.key.value === 'depends_on');
    const value = pair?.value;
    if (isSeq(value)) {
      for (const item of value.items) if (isScalar(item) && item.value === from) edits.push({ file, edit: scalarEdit(item, to) });
    } else if (isMap(value)) {
      for (const entry of value.items) if (isPair(entry) && isScalar(entry.key) && entry.key.value === from) edits.push({ file, edit: scalarEdit(entry.key, to) });
    }
  }
  return edits;
}

function scalarEdit(scalar: Scalar, value: string): TextEdit {
  const [start, end] = scalar.range!;
  return { start, end, text: renderScalar(value, quoteStyleOf(scalar.type)) };
}

/**
 * Replaces a service defined once in block style with `lines` (a new service in its place: the
 * collector where the X-Ray daemon was), keeping the blank lines around it. undefined when that is
 * not safe as text (see serviceBlock).
 */
export function replaceServiceEdit(service: ComposeService, lines: (step: string) => string[], step: number): TextEdit | undefined {
  const block = serviceBlock(service);
  if (!block) return undefined;
  const { file, start, indent, contentEnd } = block;
  const eol = file.eol;
  const body = lines(' '.repeat(step))
    .map((l) => ' '.repeat(indent) + l + eol)
    .join('');
  const keepNoFinalNewline = contentEnd === file.text.length && !file.text.endsWith('\n');
  return { start, end: contentEnd, text: keepNoFinalNewline ? body.slice(0, -eol.length) : body };
}
