import type { Check } from '../types.js';
import { composeOrWhy, fail, report, skipped, type Issue } from './lib/report.js';
import { keyWhere, listItems, xrayDaemonService } from './lib/services.js';
import { flagSuggestion, flowList, reviewDaemonCommand, shellWords } from '../../compose/xray-daemon-args.js';

/**
 * The daemon image's entrypoint is `/xray -t 0.0.0.0:2000 -b 0.0.0.0:2000` and compose appends
 * `command` to it: the command holds flags only, one per list item.
 */
export const xrayDaemonCommandCheck: Check = {
  id: 'xray-daemon-command',
  title: 'X-Ray daemon command',
  group: 'xray',
  run(project) {
    const ready = composeOrWhy(project);
    if ('why' in ready) return skipped(this, ready.why);
    const daemon = xrayDaemonService(project);
    if (!daemon) return skipped(this, 'no X-Ray daemon service');
    if (daemon.config.entrypoint !== undefined) return skipped(this, `${daemon.name} sets its own entrypoint`);
    const review = reviewDaemonCommand(daemon.config.command);
    if (!review) return report(this, [], `${daemon.name} runs the image's /xray -t 0.0.0.0:2000 -b 0.0.0.0:2000`);
    const { args, isList, words, joined, startsWithXray, raw } = review;
    const items = listItems(daemon, 'command');
    const at = (i: number) => (isList && items[i] ? { file: items[i].file, line: items[i].line } : keyWhere(daemon, 'command'));
    const fix = `command: ${flowList(review.fixArgs)}`;
    const issues: Issue[] = [];
    if (joined !== -1) {
      const also = startsWithXray ? `, and it starts with \`xray\`, which the entrypoint already is` : '';
      issues.push(fail(at(joined), `command item "${args[joined]}" reaches ${daemon.name} as one argument after /xray's own flags${also}: the daemon does not run as meant`, fix));
    } else if (startsWithXray) {
      issues.push(fail(at(0), `${daemon.name}'s command starts with \`${words[0]}\`: the entrypoint is already /xray, so \`${words[0]}\` is passed as an argument`, fix));
    }
    for (const word of raw.unknown) {
      const meant = flagSuggestion(word);
      const index = isList ? args.findIndex((a) => shellWords(a).includes(word)) : 0;
      issues.push(
        fail(at(index), meant ? `\`${word}\` is not a daemon flag${word === '-0' ? ' (that is a zero)' : ''}: did you mean ${meant}?` : `\`${word}\` is not a flag the X-Ray daemon knows`, fix),
      );
    }
    for (const word of raw.missingValue) issues.push(fail(at(0), `\`${word}\` needs a value`, fix));
    return report(this, issues, `${daemon.name} runs /xray -t 0.0.0.0:2000 -b 0.0.0.0:2000 ${args.join(' ')}`);
  },
};
