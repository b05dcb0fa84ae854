/**
 * An X-Ray daemon obs reuses must really get its flags: the image's entrypoint is already
 * `/xray`, and the Cruddur tutorials' `command: ["xray -o -b xray-daemon:2000"]` reaches it as
 * one unknown argument. Pure: from the parsed service to a conflict and the edit that fixes it.
 */
import { isPair, isScalar, type Node, type Pair } from 'yaml';
import { flowList, reviewDaemonCommand } from './xray-daemon-args.js';
import type { ComposeFile } from './parse.js';
import type { ComposeService } from './project.js';
import type { TextEdit } from '../text/edits.js';

export interface DaemonCommandFix {
  service: string;
  current: string;
  proposed: string;
  reason: string;
  /** The replacement of the `command` value, or undefined when obs cannot edit it safely. */
  edit?: { file: ComposeFile; edit: TextEdit };
  /** What to write by hand when there is no edit. */
  byHand: string;
}

export function planDaemonCommand(daemon: ComposeService): DaemonCommandFix | undefined {
  if (daemon.config.entrypoint !== undefined) return undefined; // its own entrypoint: its own rules
  const review = reviewDaemonCommand(daemon.config.command);
  if (!review || !review.broken) return undefined;
  const current = flowList(review.args);
  const proposed = flowList(review.fixArgs);
  const fix: DaemonCommandFix = {
    service: daemon.name,
    current,
    proposed,
    reason: `${current} does not reach the daemon as flags (the image's entrypoint is already /xray); obs would write ${proposed}`,
    byHand: `${daemon.name}: write its command as flags only, by hand: command: ${proposed}`,
  };
  // `command` is replaced, not merged, across files: the last definition that writes it wins.
  for (const definition of [...daemon.definitions].reverse()) {
    const pair = definition.map?.items.find((p): p is Pair => isPair(p) && isScalar(p.key) && p.key.value === 'command');
    if (!pair) continue;
    const key = pair.key as Node;
    const value = pair.value as Node | null;
    if (!key.range || !value?.range) return fix;
    const text = definition.file.text;
    const written = text.slice(key.range[1], value.range[1]);
    // Comments or anchors inside the old value would be lost or break aliases: leave it to the user.
    if (written.includes('#') || written.includes('&')) return fix;
    const eol = /\r?\n$/.exec(written)?.[0] ?? '';
    fix.edit = { file: definition.file, edit: { start: key.range[1], end: value.range[1], text: `: ${proposed}${eol}` } };
    return fix;
  }
  return fix; // merged in from an anchor, shared with whatever else merges it
}
