import { splitRequirement } from '../../instrument/requirements.js';
import type { RemoveNote } from './plan.js';

/** One sentence per note, for the person; --json carries the note's data with it. */
export function removeNoteText(note: RemoveNote): string {
  switch (note.kind) {
    case 'value-kept':
      return `${note.service}: ${note.key} was changed after obs init wrote it; it stays (delete it by hand if obs's setup should go with it)`;
    case 'remove-by-hand':
      return `${note.service}: obs cannot take ${note.keys.join(', ')} out of ${note.file} safely (flow style, an anchor, or a line shared with other keys); delete them by hand`;
    case 'restore-by-hand':
      return `${note.service}: obs cannot put back the values it replaced in ${note.keys.join(', ')} of ${note.file} as text (an anchor); set them back by hand`;
    case 'value-not-recorded':
      return `${note.service}: obs replaced ${note.key}, whose value was a secret, and never records one; it stays as obs wrote it: set yours back by hand`;
    case 'service-kept':
      return note.reason === 'config-theirs'
        ? `${note.service}: its config no longer carries obs's marker line, so the service and its config are yours now; they stay`
        : note.reason === 'changed'
          ? `${note.service}: the X-Ray daemon differs from the one obs added (image or environment changed); it stays`
          : `${note.service}: obs cannot take the service out as text (flow style or defined in several files); delete it by hand`;
    case 'dotenv-kept':
      return `${note.path} keeps the values you filled in (${note.variables.join(', ')}), and .gitignore keeps ignoring it; delete them yourself when no longer needed`;
    case 'secrets-stay-moved':
      return `${note.variables.join(', ')} stay in ${note.path}: obs init moved them out of the compose file, which still references them`;
    case 'service-gone':
      return `${note.service} is in obs.yaml but in no compose file: nothing to undo there`;
    case 'module-kept':
      return `${note.service}: ${note.file} no longer carries obs's marker line, so it is yours now; it stays, with what loads it and its packages`;
    case 'package-kept':
      return `${note.service}: ${note.file}: ${splitRequirement(note.entry).name} was changed after obs init added it (${note.entry}); it stays`;
    case 'packages-by-hand':
      return `${note.service}: ${note.file} has no place for obs's marker, so obs cannot tell which of ${note.packages.join(', ')} it added; remove those you do not use by hand`;
  }
}
