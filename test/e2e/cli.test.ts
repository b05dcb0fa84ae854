import { describe, expect, it } from 'vitest';
import { OBS_INIT_BIN, runObs } from '../support/run-obs.js';

describe('the obs command line', () => {
  it('prints its version and help with exit 0', async () => {
    const version = await runObs(['--version']);
    expect(version.exitCode).toBe(0);
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+\n?$/);
    const help = await runObs(['--help']);
    expect(help.exitCode).toBe(0);
    for (const command of ['init', 'xray', 'logs', 'apply', 'doctor']) expect(help.stdout).toContain(command);
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

  it('runs obs-init as obs init', async () => {
    const help = await runObs(['--help'], { bin: OBS_INIT_BIN });
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toMatch(/^Usage: obs init \[options\]/);
  });
});
