import type { ObsConfig } from './types.js';

/** One obs.yaml value the user set that differs from what obs would write now. */
export interface UserValue {
  /** `xray.samplingRules[0].fixedRate` */
  path: string;
  user: unknown;
  obs: unknown;
}

export interface MergedConfig {
  config: ObsConfig;
  /** User values kept (no --force). */
  kept: UserValue[];
  /** User values replaced by obs's (--force). */
  replaced: UserValue[];
}

/** Always obs's to write: records of what init found, not settings a user tunes. */
const OBS_OWNED = new Set(['version', 'pipeline', 'compose', 'collector', 'services.*.stack', 'changes']);

/**
 * The obs.yaml `obs init` writes over an existing one, as a three-way merge:
 * - `previous`: the obs.yaml on disk;
 * - `base`: what obs would have written for the choices that obs.yaml records (flags aside);
 * - `proposed`: what obs writes for this run's choices.
 * A value equal to `base` is obs's own: it follows `proposed` (so a flag such as --retention
 * still changes it). A value that differs from `base` is the user's edit: kept, and reported,
 * unless `force`. Entries and optional settings the user added (a second sampling rule,
 * `insights: true`) are kept; which services are listed follows the choices.
 */
export function mergeObsConfig(previous: ObsConfig, base: ObsConfig, proposed: ObsConfig, force: boolean): MergedConfig {
  const kept: UserValue[] = [];
  const replaced: UserValue[] = [];

  const merge = (prev: unknown, baseValue: unknown, next: unknown, path: string): unknown => {
    if (OBS_OWNED.has(pattern(path))) return next;
    if (isObject(prev) && isObject(next)) {
      const b = isObject(baseValue) ? baseValue : {};
      const out: Record<string, unknown> = {};
      // Which services are listed is a choice (--services, the prompt): proposed decides.
      const keys = path === 'services' ? Object.keys(next) : [...new Set([...Object.keys(next), ...Object.keys(prev)])];
      for (const key of keys) {
        const value = key in prev ? (key in next ? merge(prev[key], b[key], next[key], join(path, key)) : onlyPrevious(prev[key], b[key])) : next[key];
        if (value !== undefined) out[key] = value;
      }
      return out;
    }
    if (Array.isArray(prev) && Array.isArray(next)) return mergeList(prev, Array.isArray(baseValue) ? baseValue : [], next, path);
    if (same(prev, next) || same(prev, baseValue)) return next;
    const change = { path, user: prev, obs: next };
    if (force) {
      replaced.push(change);
      return next;
    }
    kept.push(change);
    return prev;
  };

  /** A setting obs no longer writes: dropped when it was obs's, kept when the user set or added it. */
  const onlyPrevious = (prev: unknown, baseValue: unknown): unknown => (baseValue !== undefined && same(prev, baseValue) ? undefined : prev);

  /**
   * Entries pair up through `base`: each entry on disk with the entry obs wrote (same name, else
   * in order: a renamed one), and that with the entry obs proposes now. An entry with no partner
   * in `base` is the user's: it stays where it is. A new entry of obs's goes last.
   */
  const mergeList = (prev: unknown[], baseList: unknown[], next: unknown[], path: string): unknown[] => {
    const prevToBase = pairUp(prev, baseList);
    const nextToBase = pairUp(next, baseList);
    const baseToNext = new Map([...nextToBase].map(([n, b]) => [b, n]));
    const usedNext = new Set<number>();
    const out: unknown[] = [];
    prev.forEach((p, i) => {
      const b = prevToBase.get(i);
      const n = b === undefined ? undefined : baseToNext.get(b);
      if (b === undefined)
        out.push(p); // added by the user
      else if (n === undefined) {
        if (!same(p, baseList[b])) out.push(p); // obs no longer proposes it; the user changed it: kept
      } else {
        usedNext.add(n);
        out.push(merge(p, baseList[b], next[n], `${path}[${out.length}]`));
      }
    });
    next.forEach((n, k) => {
      if (!usedNext.has(k) && !out.some((o) => idOf(o) !== undefined && idOf(o) === idOf(n))) out.push(n);
    });
    return out;
  };

  const config = merge(previous, base, proposed, '') as ObsConfig;
  return { config, kept, replaced };
}

/** Index pairs of `xs` and `ys`: same name first, then the leftovers in order. */
function pairUp(xs: unknown[], ys: unknown[]): Map<number, number> {
  const pairs = new Map<number, number>();
  const used = new Set<number>();
  xs.forEach((x, i) => {
    const j = ys.findIndex((y, k) => !used.has(k) && idOf(x) !== undefined && idOf(x) === idOf(y));
    if (j === -1) return;
    pairs.set(i, j);
    used.add(j);
  });
  const freeY = ys.map((_, k) => k).filter((k) => !used.has(k));
  xs.forEach((x, i) => {
    if (pairs.has(i) || freeY.length === 0) return;
    // A leftover with a name that obs proposes elsewhere is not a renamed entry.
    if (idOf(x) !== undefined && ys.some((y) => idOf(y) === idOf(x))) return;
    pairs.set(i, freeY.shift()!);
  });
  return pairs;
}

function idOf(entry: unknown): string | undefined {
  if (typeof entry === 'string') return entry; // a list of names (logStreams)
  if (!isObject(entry)) return undefined;
  const id = entry.ruleName ?? entry.name;
  return typeof id === 'string' ? id : undefined;
}

function pattern(path: string): string {
  return path.replace(/^services\.[^.]+\./, 'services.*.');
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
