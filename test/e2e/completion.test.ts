import { execa, execaSync } from 'execa';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runObs, scratchDir } from '../support/run-obs.js';

/** Completion scripts run in the real shells: what a user gets after eval "$(obs completion bash)". */
describe('obs completion', () => {
  async function script(shell: string): Promise<string> {
    const run = await runObs(['completion', shell]);
    expect(run.exitCode).toBe(0);
    const dir = await scratchDir('obs-completion-');
    const file = join(dir, `obs.${shell}`);
    await writeFile(file, run.stdout);
    return file;
  }

  /** COMPREPLY after typing `line` (the last word is the one being completed). */
  async function bashComplete(file: string, line: string): Promise<string[]> {
    const words = line.split(' ');
    const program = `source ${JSON.stringify(file)}; COMP_WORDS=(${words.map((w) => JSON.stringify(w)).join(' ')}); COMP_CWORD=${words.length - 1}; _obs_completion; printf '%s\\n' "\${COMPREPLY[@]}"`;
    const { stdout } = await execa('bash', ['-c', program]);
    return stdout.split('\n').filter(Boolean).sort();
  }

  it('bash completes commands, subcommands, flags, choices and paths from the command tree', async () => {
    const file = await script('bash');
    expect(await bashComplete(file, 'obs ')).toEqual(expect.arrayContaining(['apply', 'completion', 'doctor', 'init', 'logs', 'xray', '--help', '--version']));
    expect(await bashComplete(file, 'obs xr')).toEqual(['xray']);
    expect(await bashComplete(file, 'obs xray ')).toEqual(expect.arrayContaining(['create-group', 'create-sampling-rule']));
    expect(await bashComplete(file, 'obs xray create-group --')).toContain('--filter-expression');
    expect(await bashComplete(file, 'obs doctor --sk')).toEqual(['--skip']);
    // After an option that takes a value, its value is skipped when finding the command.
    expect(await bashComplete(file, 'obs doctor --dir somewhere --str')).toEqual(['--strict']);
    expect(await bashComplete(file, 'obs init --honeycomb-region ')).toEqual(['eu', 'us']);
    expect(await bashComplete(file, 'obs completion ')).toEqual(['--help', '-h', 'bash', 'fish', 'zsh']);
    const dir = await scratchDir('obs-completion-files-');
    await writeFile(join(dir, 'compose.yaml'), 'services: {}\n');
    expect(await bashComplete(file, `obs init -f ${dir}/comp`)).toEqual([`${dir}/compose.yaml`]);
  });

  it('refuses a shell it has no script for (exit 2)', async () => {
    const run = await runObs(['completion', 'powershell']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/powershell/);
  });

  it.runIf(hasShell('zsh'))('zsh loads its script without errors', async () => {
    const file = await script('zsh');
    const run = await execa('zsh', ['-f', '-c', `source ${JSON.stringify(file)} && whence -w _obs_completion`], { reject: false, env: { HOME: await scratchDir() } });
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/_obs_completion: function/);
  });

  it.runIf(hasShell('fish'))('fish completes subcommands and flags with descriptions', async () => {
    const file = await script('fish');
    const complete = async (line: string) => (await execa('fish', ['--no-config', '-c', `source ${JSON.stringify(file)}; complete -C ${JSON.stringify(line)}`])).stdout;
    expect(await complete('obs xray ')).toMatch(/^create-group\t/m);
    expect(await complete('obs xray ')).not.toMatch(/^doctor\t/m);
    expect(await complete('obs doctor --sk')).toMatch(/^--skip\t/m);
    expect(await complete('obs init --honeycomb-region ')).toMatch(/^eu(\t|$)/m);
    expect(await complete('obs completion ')).toMatch(/^fish$/m);
  });
});

function hasShell(name: string): boolean {
  return execaSync('sh', ['-c', `command -v ${name}`], { reject: false }).exitCode === 0;
}
