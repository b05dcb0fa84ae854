import { readdirSync } from 'node:fs';
import { join, posix } from 'node:path';
import { readJournal, STAGING_DIR, writerIsAlive } from '../../io/journal.js';
import type { Check, DoctorProject } from '../types.js';
import { fail, report, warn, type Issue } from './lib/report.js';

/** The temp files obs wrote next to their targets before it journaled its writes: `.<name>.obs-<8 hex>.tmp`. */
const OLD_TEMP = /^\.(.+)\.obs-[0-9a-f]{8}\.tmp$/;

/**
 * What an interrupted obs run left: its journal (the project may be half-written until a run
 * finishes or rolls it back), staging folders, and the temp files of older obs versions, which
 * can hold the only copy of a moved secret. Looks where obs writes: the root, the compose
 * file's folder, each service's build context.
 */
export const applyLeftoversCheck: Check = {
  id: 'apply-leftovers',
  title: 'No interrupted obs run left behind',
  group: 'project',
  async run(project) {
    const issues: Issue[] = [];
    const journalFile = posix.join(STAGING_DIR, 'journal.json');
    try {
      const journal = await readJournal(project.root);
      if (journal && writerIsAlive(journal)) {
        issues.push(warn({ file: journalFile }, `\`${journal.command}\` (pid ${journal.pid}) is writing this project right now`, 'run obs doctor again when it has finished'));
      } else if (journal) {
        const how = journal.state === 'committed' ? 'all its new files are staged, so the next run finishes it' : 'the next run rolls it back';
        issues.push(
          fail(
            { file: journalFile },
            `an earlier \`${journal.command}\` (pid ${journal.pid}, started ${journal.started}) was interrupted while writing; ${how}`,
            'obs init (or obs doctor --fix) finishes or rolls it back, and says which',
          ),
        );
      }
    } catch (err) {
      issues.push(fail({ file: journalFile }, (err as Error).message, `look at it, then move ${STAGING_DIR}/ away`));
    }
    const journalSeen = issues.length > 0;
    for (const dir of foldersObsWrites(project)) {
      let names: string[];
      try {
        names = readdirSync(join(project.root, dir));
      } catch {
        continue;
      }
      for (const name of names) {
        const path = dir === '' ? name : posix.join(dir, name);
        if (name === STAGING_DIR && !journalSeen) {
          issues.push(
            fail({ file: path }, 'staging folder of an interrupted obs run, without its journal; it can hold secrets', `compare what is inside with the files it was for, then rm -r ${path}`),
          );
        }
        const temp = OLD_TEMP.exec(name);
        if (temp) {
          const target = dir === '' ? temp[1]! : posix.join(dir, temp[1]!);
          issues.push(
            fail(
              { file: path },
              `temp file an interrupted obs run left for ${target}; it can hold the only copy of a moved secret`,
              `compare it with ${target}${temp[1] === '.env' ? '' : ' and .env'}, keep what you need, then rm ${path}`,
            ),
          );
        }
      }
    }
    return report(this, issues, 'no journal, staging folder or temp file of an interrupted obs run');
  },
};

/** Root, the compose file's folder and every build context in the project (relative, posix). */
function foldersObsWrites(project: DoctorProject): string[] {
  const dirs = new Set<string>(['', project.projectDir]);
  for (const service of project.project?.services ?? []) {
    const context = service.config.buildContext;
    if (context === undefined || /^[a-z][a-z0-9+.-]*:\/\//i.test(context) || context.startsWith('/')) continue;
    const dir = posix.normalize(posix.join(project.projectDir || '.', context.split('\\').join('/')));
    if (dir === '..' || dir.startsWith('../')) continue;
    dirs.add(dir === '.' ? '' : dir);
  }
  return [...dirs];
}
