import { stringScalars } from '../../compose/nodes.js';
import type { ComposeFile } from '../../compose/parse.js';
import type { Check, DoctorProject } from '../types.js';
import { envFilePath, lineOfText, projectLookup, serviceEnvs, shellInstead } from './lib/env.js';
import { expand, parseTemplate, type VarRef } from '../../compose/interpolation.js';
import { composeOrWhy, fail, listing, report, warn, type Issue } from './lib/report.js';

interface Use {
  ref: VarRef;
  file: ComposeFile;
  line: number;
}

/**
 * Every `${VAR}` and `$VAR` in the compose files' values has a value, from the environment or
 * the project `.env`, or a default. Compose substitutes an empty string for the rest, and stops
 * on `${VAR:?}` without a value and on an invalid template such as `${}`.
 */
export const composeInterpolationCheck: Check = {
  id: 'compose-interpolation',
  title: 'Compose variables have values',
  group: 'compose',
  run(project) {
    const ready = composeOrWhy(project);
    if ('why' in ready) return { id: this.id, title: this.title, status: 'skip', detail: ready.why };
    const lookup = projectLookup(project);
    const dotenvPath = dotenvLocation(project);
    const issues: Issue[] = [];
    const missing = new Map<string, Use[]>();
    let used = 0;
    for (const file of project.compose) {
      for (const node of stringScalars(file)) {
        if (!node.value.includes('$')) continue;
        if (node.isKey) {
          if (!parseTemplate(node.value).some((p) => p.kind === 'ref')) continue;
          const meant = expand(node.value, lookup);
          issues.push(
            warn(
              { file: file.path, line: lineOfText(file, node.node, node.value) },
              `the key \`${node.value}\` is not interpolated: compose substitutes variables in values only`,
              meant.complete ? `write the name out: ${meant.value}` : 'write the name out; only values are interpolated',
            ),
          );
          continue;
        }
        const { events } = expand(node.value, lookup);
        for (const event of events) {
          if (event.kind === 'error') {
            issues.push(fail({ file: file.path, line: lineOfText(file, node.node, event.error.text) }, event.error.message, 'name a variable, as in ${HONEYCOMB_API_KEY}; write $$ for a literal $'));
            continue;
          }
          used++;
          const where = { file: file.path, line: lineOfText(file, node.node, event.ref.text) };
          if (event.kind === 'required') {
            const why = event.ref.arg ? `: ${event.ref.arg}` : '';
            issues.push(
              fail(
                where,
                `${event.ref.text} requires ${event.ref.name}, which has no value: compose stops with "required variable ${event.ref.name} is missing a value${why}"`,
                shellInstead(project, event.ref.name) ?? `add ${event.ref.name}=<value> to ${dotenvPath}`,
              ),
            );
          } else if (event.kind === 'missing') {
            const list = missing.get(event.ref.name) ?? [];
            list.push({ ref: event.ref, file, line: where.line });
            missing.set(event.ref.name, list);
          }
        }
      }
    }
    for (const [name, uses] of missing) {
      if (workspaceVariable(project, name)) continue;
      issues.push(missingIssue(project, name, uses, dotenvPath));
    }
    return report(this, issues, used === 0 ? 'the compose files use no variables' : `${used} variable reference${used === 1 ? '' : 's'}, each with a value or a default`);
  },
};

/** Variables a Gitpod workspace or a Codespace sets itself (the project says it runs there). */
function workspaceVariable(project: DoctorProject, name: string): boolean {
  if (project.hints.gitpod && name.startsWith('GITPOD_')) return true;
  return project.hints.codespaces && (name === 'CODESPACE_NAME' || name.startsWith('GITHUB_CODESPACES_'));
}

function dotenvLocation(project: DoctorProject): string {
  return project.dotenv?.path ?? envFilePath(project, '.env');
}

function missingIssue(project: DoctorProject, name: string, uses: Use[], dotenvPath: string): Issue {
  const first = uses[0]!;
  const where = { file: first.file.path, line: first.line };
  const times = uses.length > 1 ? ` (used ${uses.length} times, first here)` : '';
  const shell = shellInstead(project, name);
  const fix = shell ?? `add ${name}=<value> to ${dotenvPath} (or write \${${name}:-<default>})`;
  const inEnvFiles = [...project.envFiles.values()].filter((f) => f?.values.has(name)).map((f) => f!.path);
  if (inEnvFiles.length > 0) {
    return warn(
      where,
      `${name} is only set in env_file ${listing(inEnvFiles)}, and env_file does NOT feed interpolation: compose substitutes an empty string for ${first.ref.text}${times}`,
      shell ?? `move ${name} to ${dotenvPath}`,
    );
  }
  const inServices = [...serviceEnvs(project)].filter(([, env]) => {
    const entry = env.get(name);
    return entry?.from === 'environment' && entry.value !== null && !entry.value.includes('$');
  });
  if (inServices.length > 0) {
    return warn(
      where,
      `${name} is only set in the environment of ${listing(inServices.map(([s]) => s))}, which does not feed interpolation: compose substitutes an empty string for ${first.ref.text}${times}`,
      `move ${name} to ${dotenvPath}`,
    );
  }
  return warn(where, `${name} is not set in the environment or ${dotenvPath}: compose substitutes an empty string for ${first.ref.text}${times}`, fix);
}
