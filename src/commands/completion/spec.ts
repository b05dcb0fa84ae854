import type { Command } from 'commander';

/** What a shell needs to complete one command: its words, and what each option takes. */
export interface CompletionNode {
  /** Words from the program name down, e.g. ['xray', 'create-group']; [] is obs itself. */
  path: string[];
  summary: string;
  subcommands: string[];
  /** Values the command's first argument takes, when it has a fixed list (`obs completion <shell>`). */
  argumentChoices: string[];
  options: CompletionOption[];
}

export interface CompletionOption {
  long?: string;
  short?: string;
  description: string;
  /** 'none': a switch; 'path': a file or folder; 'choice': one of `choices`; 'value': anything. */
  takes: 'none' | 'path' | 'choice' | 'value';
  choices?: string[];
}

/** Walks the finished commander tree, so completions follow every flag the CLI has. */
export function completionSpec(program: Command): CompletionNode[] {
  const nodes: CompletionNode[] = [];
  const visit = (command: Command, path: string[]): void => {
    const subcommands = command.commands.filter((c) => c.name() !== 'help');
    nodes.push({
      path,
      summary: command.summary() || command.description(),
      subcommands: subcommands.map((c) => c.name()),
      argumentChoices: command.registeredArguments[0]?.argChoices ?? [],
      options: [
        ...command.options.map((o): CompletionOption => {
          const takes = !o.required && !o.optional ? 'none' : o.argChoices ? 'choice' : /<(path|file|dir)>/.test(o.flags) ? 'path' : 'value';
          return { long: o.long, short: o.short, description: o.description, takes, ...(o.argChoices ? { choices: o.argChoices } : {}) };
        }),
        { long: '--help', short: '-h', description: 'display help for command', takes: 'none' },
      ],
    });
    for (const sub of subcommands) visit(sub, [...path, sub.name()]);
  };
  visit(program, []);
  return nodes;
}
