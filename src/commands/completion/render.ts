import type { CompletionNode } from './spec.js';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

/** The completion script for `shell`, generated from the command tree (pure). */
export function renderCompletion(shell: Shell, nodes: readonly CompletionNode[]): string {
  return shell === 'fish' ? fishScript(nodes) : shell === 'zsh' ? zshScript(nodes) : bashScript(nodes);
}

const key = (path: readonly string[]): string => path.join(' ');
const flagsOf = (node: CompletionNode): string[] => node.options.flatMap((o) => [o.long, o.short].filter((f): f is string => !!f));

/**
 * bash: the words typed so far select a node of the tree (options and their values skipped);
 * then subcommands and flags complete, files after a path option, choices after a choice option.
 */
function bashScript(nodes: readonly CompletionNode[]): string {
  const commandCases = nodes.flatMap((n) => n.subcommands.map((s) => `      "${key([...n.path, s])}") path="${key([...n.path, s])}" ;;`));
  const wordCases = nodes.map((n) => `    "${key(n.path)}") words="${[...n.subcommands, ...n.argumentChoices, ...flagsOf(n)].join(' ')}" ;;`);
  const valueCases = nodes.flatMap((n) =>
    n.options
      .filter((o) => o.takes !== 'none')
      .map((o) => {
        const flags = [o.long, o.short]
          .filter(Boolean)
          .map((f) => `"${key(n.path)}|${f}"`)
          .join('|');
        const reply = o.takes === 'choice' ? `COMPREPLY=($(compgen -W "${o.choices!.join(' ')}" -- "$cur"))` : o.takes === 'path' ? 'COMPREPLY=($(compgen -f -- "$cur"))' : 'COMPREPLY=()';
        return `    ${flags}) ${reply}; return ;;`;
      }),
  );
  const takesValue = nodes.flatMap((n) => n.options.filter((o) => o.takes !== 'none').flatMap((o) => [o.long, o.short].filter(Boolean).map((f) => `"${key(n.path)}|${f}"`)));
  return `# obs completion for bash: eval "$(obs completion bash)" (or save it in ~/.local/share/bash-completion/completions/obs)
_obs_completion() {
  local cur prev path="" words="" i w skip=0
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    if ((skip)); then skip=0; continue; fi
    case "$path|$w" in
    ${takesValue.length ? takesValue.join('|') : '"|-"'}) skip=1; continue ;;
    esac
    case "$w" in -*) continue ;; esac
    case "\${path:+$path }$w" in
${commandCases.join('\n')}
    esac
  done
  if ((COMP_CWORD > 1)) || [[ -n "$prev" && "$prev" != "\${COMP_WORDS[0]}" ]]; then
    case "$path|$prev" in
${valueCases.join('\n')}
    esac
  fi
  case "$path" in
${wordCases.join('\n')}
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -o default -F _obs_completion obs
`;
}

/** zsh runs the bash function through bashcompinit (zsh's own bridge for bash completions). */
function zshScript(nodes: readonly CompletionNode[]): string {
  return `# obs completion for zsh: eval "$(obs completion zsh)" in ~/.zshrc
autoload -U +X compinit && compinit
autoload -U +X bashcompinit && bashcompinit
${bashScript(nodes).split('\n').slice(1).join('\n')}`;
}

/** fish: one `complete` line per subcommand and flag, each with its description. */
function fishScript(nodes: readonly CompletionNode[]): string {
  const lines = ['# obs completion for fish: obs completion fish > ~/.config/fish/completions/obs.fish', 'complete -c obs -f'];
  const quote = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  const byPath = new Map(nodes.map((n) => [key(n.path), n]));
  const condition = (path: readonly string[]): string => {
    if (path.length === 0) return '__fish_use_subcommand';
    const parent = byPath.get(key(path))!;
    const seen = path.map((word) => `__fish_seen_subcommand_from ${word}`).join('; and ');
    return parent.subcommands.length ? `${seen}; and not __fish_seen_subcommand_from ${parent.subcommands.join(' ')}` : seen;
  };
  for (const node of nodes) {
    const when = quote(condition(node.path));
    if (node.argumentChoices.length) lines.push(`complete -c obs -n ${when} -a ${quote(node.argumentChoices.join(' '))}`);
    for (const sub of node.subcommands) lines.push(`complete -c obs -n ${when} -a ${sub} -d ${quote(byPath.get(key([...node.path, sub]))!.summary)}`);
    for (const o of node.options) {
      const parts = ['complete -c obs -n', when];
      if (o.long) parts.push('-l', o.long.slice(2));
      if (o.short) parts.push('-s', o.short.slice(1));
      if (o.takes === 'path') parts.push('-r', '-F');
      else if (o.takes === 'choice') parts.push('-x', '-a', quote(o.choices!.join(' ')));
      else if (o.takes === 'value') parts.push('-x');
      parts.push('-d', quote(o.description));
      lines.push(parts.join(' '));
    }
  }
  return `${lines.join('\n')}\n`;
}
