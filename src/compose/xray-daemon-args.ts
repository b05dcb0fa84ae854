/** The X-Ray daemon's command line, as its image runs it: `/xray -t 0.0.0.0:2000 -b 0.0.0.0:2000` + compose `command`. */

export const DAEMON_PORT = '2000';

/** Flags of the daemon (aws-xray-daemon cmd/tracing/daemon.go); true = takes a value. */
const FLAGS: Record<string, { long: string; value: boolean }> = {
  '-o': { long: '--local-mode', value: false },
  '-n': { long: '--region', value: true },
  '-b': { long: '--bind', value: true },
  '-t': { long: '--bind-tcp', value: true },
  '-c': { long: '--config', value: true },
  '-f': { long: '--log-file', value: true },
  '-l': { long: '--log-level', value: true },
  '-m': { long: '--buffer-memory', value: true },
  '-r': { long: '--role-arn', value: true },
  '-a': { long: '--resource-arn', value: true },
  '-p': { long: '--proxy-address', value: true },
  '-s': { long: '--profile', value: true },
  '-v': { long: '--version', value: false },
  '-h': { long: '--help', value: false },
};

const BY_LONG = new Map(Object.entries(FLAGS).map(([short, f]) => [f.long, { short, value: f.value }]));

/** Splits a command string the way compose does (shell words, quotes honoured, no expansion). */
export function shellWords(s: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < s.length) word += s[++i];
      else word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else if (c === '\\' && i + 1 < s.length) {
      word += s[++i];
      inWord = true;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** The arguments compose appends to the entrypoint. */
export function commandArgs(command: unknown): string[] | undefined {
  if (command === undefined || command === null) return undefined;
  if (typeof command === 'string') return shellWords(command);
  if (Array.isArray(command)) return command.map((c) => String(c));
  return undefined;
}

export interface ParsedFlags {
  /** Short flag -> value ('' for switches). Later ones win, as in the daemon. */
  flags: Map<string, string>;
  /** Words that are neither a known flag nor a flag's value. */
  unknown: string[];
  /** A flag that needs a value and got none. */
  missingValue: string[];
}

export function parseDaemonFlags(words: readonly string[]): ParsedFlags {
  const flags = new Map<string, string>();
  const unknown: string[] = [];
  const missingValue: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    const eq = word.indexOf('=');
    const name = eq > 0 && word.startsWith('-') ? word.slice(0, eq) : word;
    const inline = eq > 0 && word.startsWith('-') ? word.slice(eq + 1) : undefined;
    const short = FLAGS[name] ? name : BY_LONG.get(name)?.short;
    if (!short) {
      unknown.push(word);
      continue;
    }
    if (!FLAGS[short]!.value) {
      flags.set(short, '');
      continue;
    }
    if (inline !== undefined) flags.set(short, inline);
    else if (i + 1 < words.length && !words[i + 1]!.startsWith('-')) flags.set(short, words[++i]!);
    else missingValue.push(word);
  }
  return { flags, unknown, missingValue };
}

/** What a mistyped flag was meant to be: `-0` is `-o`, `--local` is `--local-mode`. */
export function flagSuggestion(word: string): string | undefined {
  if (word === '-0' || word === '-O') return '-o';
  if (/^--?local/.test(word)) return '-o';
  if (/^--?region/.test(word)) return '-n';
  if (/^--?bind-?tcp/.test(word)) return '-t';
  if (/^--?bind/.test(word)) return '-b';
  return undefined;
}

/**
 * The one daemon command obs writes, wherever it writes or suggests one (a new daemon, init's
 * --force fix, doctor --fix, doctor's advice): local mode plus the user's other flags. The
 * image's entrypoint already listens on 0.0.0.0:2000 for UDP (-b) and TCP (-t), so a `-b` of
 * the user's goes (obs wants all interfaces, which the entrypoint gives) and so does a `-t` on
 * all interfaces; repeating them would only hide that.
 */
export function daemonCommandArgs(user: ParsedFlags = { flags: new Map(), unknown: [], missingValue: [] }): string[] {
  const args = ['-o'];
  for (const [flag, value] of user.flags) {
    if (flag === '-o' || flag === '-b') continue;
    if (flag === '-t' && value.startsWith('0.0.0.0:')) continue;
    args.push(flag);
    if (value !== '') args.push(value);
  }
  return args;
}

export function flowList(args: readonly string[]): string {
  return `[${args.map((a) => JSON.stringify(a)).join(', ')}]`;
}

/** The command obs would write, as a compose line. */
export function suggestedCommand(parsed: ParsedFlags): string {
  return `command: ${flowList(daemonCommandArgs(parsed))}`;
}

const XRAY_BINARY = /^(?:\/?(?:usr\/(?:local\/)?)?bin\/)?\/?xray$/;

/** A daemon `command` read against the image's `/xray` entrypoint, shared by doctor and init. */
export interface DaemonCommandReview {
  /** What compose appends to the entrypoint. */
  args: string[];
  isList: boolean;
  /** Every word of the command, each list item split as a shell would. */
  words: string[];
  /** Index of a list item holding several words (it reaches the daemon as one argument), or -1. */
  joined: number;
  /** The words start with the `xray` binary, which the entrypoint already is. */
  startsWithXray: boolean;
  /** The flags as the user meant them (every item split into words, `xray` dropped). */
  raw: ParsedFlags;
  /** The flags-only command that does what was meant. */
  fixArgs: string[];
  /** Whether the daemon does not get its flags as written. */
  broken: boolean;
}

export function reviewDaemonCommand(command: unknown): DaemonCommandReview | undefined {
  const args = commandArgs(command);
  if (!args || args.length === 0) return undefined;
  const isList = Array.isArray(command);
  // What the user meant: every word, as if each item had been split.
  const words = isList ? args.flatMap((a) => shellWords(a)) : args;
  const startsWithXray = words.length > 0 && XRAY_BINARY.test(words[0]!);
  const flagWords = startsWithXray ? words.slice(1) : words;
  const raw = parseDaemonFlags(flagWords);
  // The fix keeps the user's valid flags, turns a mistyped local-mode switch into -o and drops other unknown words.
  const meantWords = flagWords.flatMap((w) => (!raw.unknown.includes(w) ? [w] : flagSuggestion(w) === '-o' ? ['-o'] : []));
  const fixArgs = daemonCommandArgs(parseDaemonFlags(meantWords));
  const joined = isList ? args.findIndex((a) => /\s/.test(a.trim())) : -1;
  const broken = joined !== -1 || startsWithXray || raw.unknown.length > 0 || raw.missingValue.length > 0;
  return { args, isList, words, joined, startsWithXray, raw, fixArgs, broken };
}

/** `us-east-1`, `eu-central-1`, `us-gov-west-1`, `cn-north-1`, `ap-southeast-3`, `il-central-1`. */
export const AWS_REGION = /^(?:[a-z]{2}(?:-gov|-iso[a-z]?)?-(?:north|south|east|west|central|northeast|northwest|southeast|southwest)-\d)$/;
