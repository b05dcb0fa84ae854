import type { Check } from '../types.js';
import { fail, report } from './lib/report.js';

/** The compose file exists and parses; every other project check reads it. */
export const composeFileCheck: Check = {
  id: 'compose-file',
  title: 'Compose file found and valid',
  group: 'project',
  run(project) {
    const error = project.composeError;
    if (error) {
      if (error.message === 'no such file') {
        return report(this, [fail({ file: error.file }, `${error.file} does not exist`, `obs doctor -f <your compose file>`)], '');
      }
      const at = `${error.file}${error.line ? `:${error.line}${error.col ? `:${error.col}` : ''}` : ''}`;
      // The checklist puts file:line:col in front of the finding: the message does not repeat it.
      const issue = fail(
        { file: error.file, ...(error.line ? { line: error.line, ...(error.col ? { col: error.col } : {}) } : {}) },
        `${error.message}; compose refuses the file, so nothing else can be checked`,
        `correct ${at}, then run \`docker compose config\` to see the file parse`,
      );
      return report(this, [issue], '');
    }
    if (project.composePaths.length === 0 || !project.project) {
      const [lookalike] = project.composeLookalikes ?? [];
      const fix = lookalike
        ? `obs doctor -f ${lookalike} (${lookalike} is not a name compose reads by itself: docker compose needs -f too), or rename it`
        : 'obs doctor --dir <project folder>, or obs doctor -f <compose file>';
      return report(this, [fail({}, `no compose file (compose.yaml, compose.yml, docker-compose.yml or docker-compose.yaml) in ${project.root}`, fix)], '');
    }
    const n = project.project.services.length;
    return report(this, [], `${project.composePaths.join(', ')}: ${n} service${n === 1 ? '' : 's'}`);
  },
};
