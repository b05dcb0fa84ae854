import { isPair, type Node, type Pair } from 'yaml';
import type { ComposeProject, ComposeService } from './project.js';
import { servicesMap, type ComposeFile } from './parse.js';
import { UsageError } from '../errors.js';
import { columnOf, insertLinesAfter, lineColOf, lineStartOf, type TextEdit } from '../text/edits.js';
import { daemonCommandArgs, flowList } from './xray-daemon-args.js';

/**
 * A released tag, never `latest`: a `docker compose up` months later runs the daemon obs was
 * checked against (3.6.6, July 2026: the entrypoint `/xray -t 0.0.0.0:2000 -b 0.0.0.0:2000`
 * that daemonCommandArgs counts on). The daemon is in maintenance mode (security fixes only until
 * its end of support in February 2027), so moving to a newer 3.x is a one-word edit.
 */
export const XRAY_DAEMON_IMAGE = 'amazon/aws-xray-daemon:3.6.6';
export const XRAY_DAEMON_NAME = 'xray-daemon';

/** A service that runs the X-Ray daemon, whatever the user named it. */
export function findXrayDaemon(project: ComposeProject): ComposeService | undefined {
  return project.services.find(runsOfficialDaemon) ?? project.services.find(isXrayDaemon);
}

/** The official image, or an X-Ray image under an X-Ray name (`amazon-xray-daemon`, a local build's tag). */
export function isXrayDaemon(service: ComposeService): boolean {
  return runsOfficialDaemon(service) || (/xray/.test(service.name) && /xray/.test(service.config.image ?? ''));
}

function runsOfficialDaemon(service: ComposeService): boolean {
  return /aws-xray-daemon/.test(service.config.image ?? '');
}

/** The comment obs writes into its daemon's block (and the one it wrote before 2026-12-06): obs's marker, like MANAGED_MARKER in its files. */
const DAEMON_COMMENT = "# Added to the image's entrypoint (/xray -t 0.0.0.0:2000 -b 0.0.0.0:2000): local mode.";
const DAEMON_MARKERS = [DAEMON_COMMENT, "# Flags for the image's /xray entrypoint: local mode, listen on all interfaces."];

/**
 * Whether obs added this daemon: its one definition carries obs's comment line (block style) or
 * reads exactly as obs writes it (flow style). A daemon the user ran before obs, or one whose
 * comment the user deleted to make it theirs, is not.
 */
export function addedByObs(service: ComposeService): boolean {
  if (service.definitions.length !== 1) return false;
  const { file, pair } = service.definitions[0]!;
  const start = (pair.key as Node).range![0];
  const end = (pair.value as Node | null)?.range?.[1] ?? start;
  const text = file.text.slice(start, end);
  return DAEMON_MARKERS.some((marker) => text.split(/\r?\n/).some((line) => line.trim() === marker)) || text === xrayDaemonFlow(service.name, service.config.networks);
}

/**
 * The daemon service obs writes, on the given networks (none: compose's default). The image's entrypoint is `/xray -t 0.0.0.0:2000 -b 0.0.0.0:2000`
 * and compose appends `command` to it, so the command holds flags only, one per list item
 * (a single "xray -o ..." string reaches the daemon as one unknown argument), and none the
 * entrypoint already passes (daemonCommandArgs).
 */
export function xrayDaemonLines(name: string, step: string, networks?: readonly string[]): string[] {
  return [
    `${name}:`,
    `${step}image: "${XRAY_DAEMON_IMAGE}"`,
    `${step}environment:`,
    `${step}${step}AWS_ACCESS_KEY_ID: "\${AWS_ACCESS_KEY_ID}"`,
    `${step}${step}AWS_SECRET_ACCESS_KEY: "\${AWS_SECRET_ACCESS_KEY}"`,
    `${step}${step}AWS_REGION: "\${AWS_DEFAULT_REGION}"`,
    `${step}${DAEMON_COMMENT}`,
    `${step}command: ${flowList(daemonCommandArgs())}`,
    `${step}ports:`,
    `${step}${step}- "2000:2000/udp"`,
    // On every network of the services that send to it, so `name:2000` resolves for each of them.
    ...(networks ? [`${step}networks:`, ...networks.map((n) => `${step}${step}- ${n}`)] : []),
  ];
}

/** The same service in flow style, for a file whose `services` are written `{...}`. */
export function xrayDaemonFlow(name: string, networks?: readonly string[]): string {
  const env = 'AWS_ACCESS_KEY_ID: "${AWS_ACCESS_KEY_ID}", AWS_SECRET_ACCESS_KEY: "${AWS_SECRET_ACCESS_KEY}", AWS_REGION: "${AWS_DEFAULT_REGION}"';
  const onNetworks = networks ? `, networks: [${networks.join(', ')}]` : '';
  return `${name}: {image: "${XRAY_DAEMON_IMAGE}", environment: {${env}}, command: ${flowList(daemonCommandArgs())}, ports: ["2000:2000/udp"]${onNetworks}}`;
}

/**
 * Inserts a new service after the last one, matching the file's indentation and blank-line
 * habit; in a flow-style `services: {...}`, `flow` goes after the last service inside the braces.
 */
export function addServiceEdit(file: ComposeFile, lines: (step: string) => string[], step: number, flow?: string, skip: ReadonlySet<string> = new Set()): TextEdit {
  const services = servicesMap(file);
  if (!services || services.items.length === 0) {
    const at = (file.doc.contents as Node | null)?.range?.[0] ?? 0;
    throw new UsageError('the file has no services to add the X-Ray daemon next to', { file: file.path, ...lineColOf(file.text, at) });
  }
  const pairs = services.items.filter(isPair);
  if (services.flow) {
    if (flow === undefined)
      throw new UsageError('`services` is written in flow style ({...}); write it in block style to add a service here', { file: file.path, ...lineColOf(file.text, services.range?.[0] ?? 0) });
    const at = pairEnd(pairs[pairs.length - 1]!);
    return { start: at, end: at, text: `, ${flow}` };
  }
  const first = pairs[0]!.key as Node;
  // After the last service that stays: one the same plan takes out is no place to add after.
  const kept = pairs.filter((p) => !skip.has(String((p.key as { value?: unknown }).value)));
  const last = kept[kept.length - 1] ?? pairs[pairs.length - 1]!;
  const indent = ' '.repeat(columnOf(file.text, first.range![0]));
  const body = lines(' '.repeat(step));
  const blankBetween = pairs.length > 1 && blankLineBetween(file.text, pairEnd(pairs[0]!), (pairs[1]!.key as Node).range![0]);
  const at = afterTrailingComments(file.text, pairEnd(last), indent.length);
  return insertLinesAfter(file.text, at, indent, blankBetween ? ['', ...body] : body, file.eol);
}

/** Whether a whole blank line separates the end of one service from the next one's key. */
function blankLineBetween(text: string, end: number, nextKey: number): boolean {
  const from = text[end - 1] === '\n' ? end : text.indexOf('\n', end) + 1;
  const lines = text.slice(from, lineStartOf(text, nextKey)).split('\n');
  lines.pop(); // what follows the last line break is the next key's line
  return lines.some((line) => line.trim() === '');
}

/** Comment lines indented deeper than the service keys still belong to the last service. */
function afterTrailingComments(text: string, end: number, serviceIndent: number): number {
  let at = text[end - 1] === '\n' ? end : text.indexOf('\n', end) + 1;
  if (at === 0) return end;
  for (;;) {
    const next = text.indexOf('\n', at);
    const line = text.slice(at, next === -1 ? text.length : next);
    const indent = line.length - line.trimStart().length;
    if (!line.trimStart().startsWith('#') || indent <= serviceIndent || next === -1) return at;
    at = next + 1;
  }
}

function pairEnd(pair: Pair): number {
  return Math.max((pair.key as Node).range![1], (pair.value as Node | null)?.range?.[1] ?? 0);
}
