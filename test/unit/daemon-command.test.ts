import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { planFixes } from '../../src/commands/doctor/fix-plan.js';
import { loadDoctorProject } from '../../src/commands/doctor/load.js';
import { xrayDaemonCommandCheck } from '../../src/checks/project/xray-daemon-command.js';
import { parseComposeText } from '../../src/compose/parse.js';
import { buildProject } from '../../src/compose/project.js';
import { commandArgs, daemonCommandArgs, parseDaemonFlags } from '../../src/compose/xray-daemon-args.js';
import { planDaemonCommand } from '../../src/compose/xray-daemon-command.js';
import { XRAY_DAEMON_IMAGE, xrayDaemonFlow, xrayDaemonLines } from '../../src/compose/xray-daemon.js';
import { discover } from '../../src/project/discover.js';

/**
 * Both daemon images run `ENTRYPOINT ["/xray", "-t", "0.0.0.0:2000", "-b", "0.0.0.0:2000"]`
 * (aws-xray-daemon Dockerfile and Dockerfile.amazonlinux) and compose appends `command`: the
 * command obs writes adds local mode and nothing the entrypoint already says.
 */
const ENTRYPOINT = ['-t', '0.0.0.0:2000', '-b', '0.0.0.0:2000'];
const BROKEN = `services:
  api:
    build: ./api
  xray-daemon:
    image: "amazon/aws-xray-daemon"
    command: ["xray -o -b xray-daemon:2000"]
`;

const daemonOf = (text: string) => buildProject([parseComposeText('docker-compose.yml', text)]).services.find((s) => s.name === 'xray-daemon')!;

describe('the daemon command obs writes', () => {
  it('a new daemon gets local mode only: no -t/-b the entrypoint already passes', () => {
    const lines = xrayDaemonLines('xray-daemon', '  ');
    expect(lines).toContain('  command: ["-o"]');
    expect(xrayDaemonFlow('xray-daemon')).toContain('command: ["-o"]');
    expect(daemonCommandArgs()).toEqual(['-o']);
  });

  it('keeps the user flags that mean something, drops the ones the entrypoint already sets', () => {
    expect(daemonCommandArgs(parseDaemonFlags(['-o', '-b', '0.0.0.0:2000', '-t', '0.0.0.0:2000', '-n', 'us-east-1']))).toEqual(['-o', '-n', 'us-east-1']);
    expect(daemonCommandArgs(parseDaemonFlags(['-b', 'xray-daemon:2000', '-l', 'debug']))).toEqual(['-o', '-l', 'debug']);
  });

  it('init, doctor --fix and doctor advice write the same command for the same broken daemon', async () => {
    const initFix = planDaemonCommand(daemonOf(BROKEN))!;
    expect(initFix.proposed).toBe('["-o"]');

    const root = await mkdtemp(join(tmpdir(), 'obs-daemon-'));
    onTestFinished(() => rm(root, { recursive: true, force: true }));
    await writeFile(join(root, 'docker-compose.yml'), BROKEN);
    const found = await discover(root, undefined);
    const fixed = planFixes(found.snapshot, found.project);
    const compose = fixed.changes.find((c) => c.path === 'docker-compose.yml')!;
    expect(compose.after).toBe(BROKEN.replace('["xray -o -b xray-daemon:2000"]', '["-o"]'));
    expect(fixed.applied.some((line) => line.includes('xray-daemon') && line.includes('["-o"]'))).toBe(true);
    expect(commandArgs(daemonOf(compose.after).config.command)).toEqual(['-o']);

    const advice = await xrayDaemonCommandCheck.run(await loadDoctorProject(root, {}), { online: false } as never);
    expect(advice.status).toBe('fail');
    expect(new Set([advice.fix, ...(advice.findings ?? []).map((f) => f.fix)].filter(Boolean))).toEqual(new Set(['command: ["-o"]']));
  });

  it('never repeats the entrypoint flags', () => {
    const args = daemonCommandArgs(parseDaemonFlags(ENTRYPOINT));
    for (let i = 0; i < ENTRYPOINT.length; i += 2) expect(args.join(' ')).not.toContain(`${ENTRYPOINT[i]} ${ENTRYPOINT[i + 1]}`);
  });
});

describe('the daemon image obs writes', () => {
  it('is pinned to a release, not latest', () => {
    expect(XRAY_DAEMON_IMAGE).toMatch(/^amazon\/aws-xray-daemon:\d+\.\d+\.\d+$/);
    expect(xrayDaemonLines('xray-daemon', '  ')).toContain(`  image: "${XRAY_DAEMON_IMAGE}"`);
  });
});
