import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { OBS_BIN, OBS_INIT_BIN, runObs } from '../support/run-obs.js';

/** Runs obs with its stdout read end closed at once, like `obs ... | head -1` after head exits. */
function withClosedStdout(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [OBS_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NO_COLOR: '1' } });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('the obs command line', () => {
  it('prints its version and help with exit 0', async () => {
    const version = await runObs(['--version']);
    expect(version.exitCode).toBe(0);
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+\n?$/);
    const help = await runObs(['--help']);
    expect(help.exitCode).toBe(0);
    for (const command of ['init', 'xray', 'logs', 'apply', 'doctor']) expect(help.stdout).toContain(command);
  });

  it('lists every command in obs --help with a description that fits on one line', async () => {
    const help = await runObs(['--help']);
    const commands = help.stdout
      .slice(help.stdout.indexOf('Commands:\n') + 'Commands:\n'.length)
      .split('\n')
      .filter((l) => l.trim() !== '');
    expect(commands.map((l) => l.trim().split(/\s+/)[0])).toEqual(['init', 'remove', 'xray', 'logs', 'apply', 'doctor', 'completion', 'help']);
    // An indented line after a command would be the wrapped rest of its description.
    for (const line of commands) expect(line, help.stdout).toMatch(/^ {2}\S.*\S {2,}\S/);
  });

  it('points a usage error at the help of the command that was run', async () => {
    const run = await runObs(['xray', 'create-group', '--name', 'G', '--bogus']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('(run obs xray create-group --help for usage)');
  });

  it('treats a missing or unknown command and an unknown flag as bad usage (exit 2)', async () => {
    expect((await runObs([])).exitCode).toBe(2);
    const unknown = await runObs(['deploy']);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command 'deploy'/);
    const flag = await runObs(['init', '--bogus']);
    expect(flag.exitCode).toBe(2);
    expect(flag.stderr).toMatch(/unknown option '--bogus'/);
  });

  it('stops quietly when the reader of its output goes away (obs doctor --list-checks | head -1)', async () => {
    for (const args of [
      ['doctor', '--list-checks'],
      ['doctor', '--json', '--dir', 'examples/cruddur'],
    ]) {
      const run = await withClosedStdout(args);
      expect(run.stderr, args.join(' ')).not.toMatch(/EPIPE|Unhandled|node:events/);
      expect(run.stderr).toBe('');
    }
  });

  it('obs help <command> <subcommand> shows the subcommand help', async () => {
    const help = await runObs(['help', 'xray', 'create-group']);
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toBe((await runObs(['xray', 'create-group', '--help'])).stdout);
    expect(help.stdout).toMatch(/^Usage: obs xray create-group/);
    const one = await runObs(['help', 'xray']);
    expect(one.stdout).toMatch(/^Usage: obs xray /);
  });

  it('runs obs-init as obs init', async () => {
    const help = await runObs(['--help'], { bin: OBS_INIT_BIN });
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toMatch(/^Usage: obs init \[options\]/);
  });

  it('runs obs-init <command> as obs <command> for every top-level command obs has', async () => {
    const topHelp = await runObs(['--help']);
    const commands = [...topHelp.stdout.split('Commands:')[1]!.matchAll(/^ {2}([a-z-]+)/gm)].map((m) => m[1]!);
    expect(commands).toContain('doctor');
    for (const command of commands) {
      const run = await runObs([command, '--help'], { bin: OBS_INIT_BIN });
      expect(run.exitCode, command).toBe(0);
      if (command !== 'help') expect(run.stdout, command).toMatch(new RegExp(`^Usage: obs ${command} `));
    }
    const doctor = await runObs(['doctor', '--list-checks'], { bin: OBS_INIT_BIN });
    expect(doctor.exitCode).toBe(0);
    expect(doctor.stdout).toBe((await runObs(['doctor', '--list-checks'])).stdout);
  });
});
