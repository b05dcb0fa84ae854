/**
 * Pure: what a Dockerfile says about the image a compose service runs, for stack detection:
 * the stages (a build `target` picks one, else the last), what each copies from the build
 * context, and the command it starts. Only the instructions detection needs; no variables
 * are expanded.
 */

export interface DockerInstruction {
  kind: string;
  args: string;
}

export interface DockerStage {
  /** The `AS` name, lower case. */
  name?: string;
  /** The image after FROM (an earlier stage's name when the stage builds on it). */
  base: string;
  instructions: DockerInstruction[];
}

export interface DockerCopy {
  /** Paths in the build context, posix, without a leading `./` or trailing `/` ('.' for the whole context). */
  sources: string[];
  dest: string;
  /** `dest` resolved against the WORKDIR in force (absolute, posix). */
  target: string;
}

export interface DockerRun {
  command: string;
  workdir: string;
}

export interface ImageFacts {
  /** The stages the target builds on, the target last. */
  chain: DockerStage[];
  /** COPY/ADD from the build context (not `--from=` another stage or image), in order, whole chain. */
  copies: DockerCopy[];
  /** ENTRYPOINT then CMD of the chain as one string (the last of each wins). */
  command?: string;
  /** The chain's last ENTRYPOINT and CMD apart (a compose `command` replaces CMD only). */
  entrypoint?: string;
  cmd?: string;
  /** ENV of the chain (later wins). */
  env: Map<string, string>;
  /** RUN lines of the chain, each with the WORKDIR it runs in (absolute, posix). */
  runs: DockerRun[];
  /** The WORKDIR the command runs in ('/' when none is set). */
  workdir: string;
}

export function parseDockerfile(text: string): DockerStage[] {
  const stages: DockerStage[] = [];
  const logical = text.replace(/\\\r?\n/g, ' ').split(/\r?\n/);
  for (const raw of logical) {
    if (/^\s*#/.test(raw)) continue;
    const m = /^\s*([A-Za-z]+)\s+(.*)$/.exec(raw);
    if (!m) continue;
    const kind = m[1]!.toUpperCase();
    const args = m[2]!.trim();
    if (kind === 'FROM') {
      const words = args.split(/\s+/).filter((w) => !w.startsWith('--'));
      const as = words.findIndex((w) => w.toUpperCase() === 'AS');
      stages.push({ base: (words[0] ?? '').toLowerCase(), ...(as > 0 && words[as + 1] ? { name: words[as + 1]!.toLowerCase() } : {}), instructions: [] });
      continue;
    }
    stages.at(-1)?.instructions.push({ kind, args });
  }
  return stages;
}

/** The facts of the stage compose builds: `target` (case-insensitive), else the last one. */
export function imageFacts(text: string, target?: string): ImageFacts {
  const stages = parseDockerfile(text);
  const index = target === undefined ? stages.length - 1 : stages.findIndex((s) => s.name === target.toLowerCase());
  const chain: DockerStage[] = [];
  const seen = new Set<number>();
  for (let i = index; i >= 0 && !seen.has(i);) {
    seen.add(i);
    const stage = stages[i]!;
    chain.unshift(stage);
    // `FROM build AS app` builds on the earlier stage named build.
    i = stages.findIndex((s, j) => j < i && s.name !== undefined && s.name === stage.base);
  }
  const facts: ImageFacts = { chain, copies: [], env: new Map(), runs: [], workdir: '/' };
  let entrypoint: string | undefined;
  let cmd: string | undefined;
  for (const stage of chain) {
    for (const { kind, args } of stage.instructions) {
      if (kind === 'CMD') cmd = commandOf(args);
      else if (kind === 'ENTRYPOINT') entrypoint = commandOf(args);
      else if (kind === 'RUN') facts.runs.push({ command: args, workdir: facts.workdir });
      else if (kind === 'WORKDIR') facts.workdir = resolvePosix(facts.workdir, unquote(args));
      else if (kind === 'ENV') readEnv(args, facts.env);
      else if (kind === 'COPY' || kind === 'ADD') {
        const words = wordsOf(args);
        if (words.some((w) => /^--from=/i.test(w))) continue;
        const paths = words.filter((w) => !w.startsWith('--'));
        if (paths.length < 2) continue;
        facts.copies.push({ sources: paths.slice(0, -1).map(normalizeSource), dest: paths.at(-1)!, target: resolvePosix(facts.workdir, paths.at(-1)!) });
      }
    }
  }
  const command = [entrypoint, cmd].filter((p) => p !== undefined && p !== '').join(' ');
  if (command !== '') facts.command = command;
  if (entrypoint !== undefined) facts.entrypoint = entrypoint;
  if (cmd !== undefined) facts.cmd = cmd;
  return facts;
}

function normalizeSource(source: string): string {
  const s = source.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
  return s === '' ? '.' : s;
}

function readEnv(args: string, env: Map<string, string>): void {
  const pairs = [...args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|'[^']*'|\S*)/g)];
  if (pairs.length > 0 && /^[A-Za-z_][A-Za-z0-9_]*=/.test(args)) {
    for (const [, key, value] of pairs) env.set(key!, unquote(value!));
    return;
  }
  const legacy = /^([A-Za-z_][A-Za-z0-9_]*)\s+(.*)$/.exec(args);
  if (legacy) env.set(legacy[1]!, unquote(legacy[2]!));
}

/** Exec form (`["a", "b"]`) or shell form, as one string. */
export function commandOf(args: string): string {
  if (args.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(args);
      if (Array.isArray(parsed)) return parsed.map(String).join(' ');
    } catch {
      // shell form
    }
  }
  return args;
}

/** Exec form as its words, or shell form split on spaces (quotes removed). */
export function wordsOf(args: string): string[] {
  if (args.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(args);
      if (Array.isArray(parsed)) return parsed.map(String);
    } catch {
      // fall through
    }
  }
  return args.split(/\s+/).filter(Boolean).map(unquote);
}

export function unquote(value: string): string {
  return value.trim().replace(/^(["'])(.*)\1$/, '$2');
}

/** `to` against `from`, both posix, as an absolute path without a trailing slash. */
export function resolvePosix(from: string, to: string): string {
  const out: string[] = [];
  for (const part of (to.startsWith('/') ? to : `${from}/${to}`).split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return `/${out.join('/')}`;
}

/**
 * The Dockerfile docker builds from a context without `dockerfile:`: `Dockerfile`, else a
 * lowercase `dockerfile` (docker's fallback since moby#10858, BuildKit since moby/buildkit#1816).
 */
export function defaultDockerfileName(names: ReadonlySet<string>): string {
  return !names.has('Dockerfile') && names.has('dockerfile') ? 'dockerfile' : 'Dockerfile';
}
