/**
 * Pure: which requirements files the image compose builds installs, read from its Dockerfile's
 * `pip install -r <file>` lines (pip, pip3, python -m pip, a venv's pip, uv pip) and mapped back
 * through its COPY lines to paths in the build context. A project may keep requirements.txt for
 * another host (flasky's is Heroku's) and install requirements/docker.txt in its image: the
 * packages the image gets are the ones that file declares.
 */
import { imageFacts, resolvePosix, unquote, type DockerCopy } from './dockerfile.js';

/** `pip install` as the start of a shell command (`venv/bin/pip`, `python3 -m pip`, `uv pip`). */
const PIP_INSTALL = /(?:^|[\s;&|(])(?:\S*\/)?(?:pip[0-9.]*|python[0-9.]*\s+-m\s+pip|uv\s+pip)\s+install\b([^;&|]*)/g;
/** `-r file`, `-rfile`, `--requirement file`, `--requirement=file`. */
const REQUIREMENT_FLAG = /(?:^|\s)(?:-r\s*|--requirement(?:\s*=\s*|\s+))("[^"]+"|'[^']+'|[^\s"']+)/g;

/**
 * The requirements files the image installs, as build-context paths (posix, relative), in the
 * order the Dockerfile installs them; only files `has` finds. `dockerfile` is the one compose
 * builds with, `target` its build.target.
 */
export function imageRequirementFiles(dockerfile: string, target: string | undefined, has: (path: string) => boolean): string[] {
  const facts = imageFacts(dockerfile, target);
  const out: string[] = [];
  for (const run of facts.runs) {
    for (const install of run.command.matchAll(PIP_INSTALL)) {
      for (const flag of install[1]!.matchAll(REQUIREMENT_FLAG)) {
        const raw = unquote(flag[1]!);
        // A variable (`-r $REQS`) names nothing obs can read.
        if (raw.includes('$')) continue;
        const inImage = resolvePosix(run.workdir, raw);
        const inContext = contextPathOf(inImage, facts.copies, has);
        if (inContext !== undefined && !out.includes(inContext)) out.push(inContext);
      }
    }
  }
  return out;
}

/** The build-context file a COPY put at `path` in the image (the last COPY that could have, first), when `has` finds it. */
function contextPathOf(path: string, copies: readonly DockerCopy[], has: (path: string) => boolean): string | undefined {
  for (const copy of [...copies].reverse()) {
    const under = path === copy.target ? '' : path.startsWith(`${copy.target === '/' ? '' : copy.target}/`) ? path.slice(copy.target === '/' ? 1 : copy.target.length + 1) : undefined;
    if (under === undefined) continue;
    for (const source of copy.sources) {
      const candidates: string[] = [];
      if (under === '') {
        // `COPY requirements.txt /app/requirements.txt`: one file copied to that name.
        if (copy.sources.length === 1 && !copy.dest.endsWith('/')) candidates.push(source);
      } else {
        // A folder's content lands in the target (`COPY requirements requirements`, `COPY . .`) ...
        candidates.push(source === '.' ? under : `${source}/${under}`);
        // ... a file lands in it by its own name (`COPY requirements.txt ./`).
        if (!under.includes('/') && source.split('/').pop() === under) candidates.push(source);
      }
      const found = candidates.find((c) => !c.includes('*') && has(c));
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** Resolves `target` against the folder of `from` (both relative to the service folder, posix). */
export function joinRelative(from: string, target: string): string {
  const parts = [...from.split('/').slice(0, -1), ...target.replace(/\\/g, '/').split('/')];
  const out: string[] = [];
  for (const part of parts) {
    if (part === '' || part === '.') continue;
    if (part === '..' && out.length > 0 && out[out.length - 1] !== '..') out.pop();
    else out.push(part);
  }
  return out.join('/');
}

/** The file a `-r file` / `--requirement=file` line of `file` names, relative to the service folder (`line` without its comment). */
export function includedRequirement(line: string, file: string): string | undefined {
  const included = /^(?:-r|--requirement)(?:\s*=\s*|\s*)(\S.*)$/.exec(line);
  return included ? joinRelative(file, included[1]!.trim()) : undefined;
}

/**
 * The files `-r` lines of `text` name, relative to the service folder, for the caller to read
 * and pass back through RequirementsOptions.include (call again on each to follow nested ones).
 */
export function includedRequirementFiles(text: string, file = 'requirements.txt'): string[] {
  const out: string[] = [];
  for (const raw of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    const included = includedRequirement(raw.replace(/(^|\s+)#.*$/, '').trim(), file);
    if (included !== undefined) out.push(included);
  }
  return out;
}

/** How many requirements files obs follows through `-r` lines from one start (pip has no limit; a loop or a generated tree has). */
const MAX_INCLUDED = 20;

/**
 * `start` and every file their `-r` lines name, nested, each once, in the order pip meets them;
 * only files `read` finds.
 */
export function requirementsClosure(start: readonly string[], read: (path: string) => string | undefined): string[] {
  const out: string[] = [];
  const queue = [...start];
  while (queue.length > 0 && out.length < MAX_INCLUDED) {
    const name = queue.shift()!;
    if (out.includes(name)) continue;
    const text = read(name);
    if (text === undefined) continue;
    out.push(name);
    queue.push(...includedRequirementFiles(text, name));
  }
  return out;
}
