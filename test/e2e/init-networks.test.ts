import { execa } from 'execa';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT, runObs, tempProject } from '../support/run-obs.js';

const CORPUS = join(REPO_ROOT, 'test', 'fixtures', 'corpus');

interface DoctorJson {
  checks: { id: string; status: string; findings?: { file?: string; line?: number; message: string; fix?: string }[] }[];
}

async function networkCheck(dir: string): Promise<DoctorJson['checks'][number]> {
  const run = await runObs(['doctor', '--dir', dir, '--json', '--check', 'telemetry-network']);
  return (JSON.parse(run.stdout) as DoctorJson).checks[0]!;
}

/**
 * Issue 12, item 8: the service obs adds must be on the networks of the services that send to it,
 * or its name does not resolve for them. Real projects whose apps join named networks only.
 */
describe('obs init puts the service it adds on the senders networks', () => {
  it('denisgulev (Cruddur on internal-network): docker-compose resolves the daemon onto the apps network, and doctor agrees', async () => {
    const dir = await tempProject(join(CORPUS, 'denisgulev__aws-bootcamp-cruddur-2023'));
    const run = await runObs(['init', '--yes', '--pipeline', 'direct', '--xray', '--dir', dir], { env: { CI: 'true' } });
    expect(run.exitCode, run.stderr).toBe(0);

    // docker-compose's own view of the result: every service that sends to the daemon shares a network with it.
    const config = await execa('docker-compose', ['config'], { cwd: dir, env: { PATH: process.env.PATH ?? '' }, extendEnv: false, reject: false });
    if (config.exitCode === 0 || config.stdout) {
      const resolved = parse(config.stdout) as { services: Record<string, { networks?: Record<string, unknown>; environment?: Record<string, string> }> };
      const daemonNets = Object.keys(resolved.services['xray-daemon']!.networks ?? {});
      const senders = Object.entries(resolved.services).filter(([, s]) => s.environment?.AWS_XRAY_DAEMON_ADDRESS === 'xray-daemon:2000');
      expect(senders.map(([name]) => name)).toContain('backend-flask');
      for (const [name, s] of senders) expect(daemonNets, name).toEqual(expect.arrayContaining(Object.keys(s.networks ?? {})));
      expect(daemonNets).toEqual(['internal-network']);
    } else {
      expect.fail(`docker-compose config failed: ${config.stderr}`);
    }
    expect((await networkCheck(dir)).status).toBe('pass');

    // The daemon as obs wrote it before (no networks): doctor names the two services and the fix.
    const compose = join(dir, 'docker-compose.yaml');
    const text = await readFile(compose, 'utf8');
    const withoutNetworks = text.replace(/(\n {2}xray-daemon:[\s\S]*?)\n {4}networks:\n {6}- internal-network\n?/, '$1\n');
    expect(withoutNetworks).not.toBe(text);
    await writeFile(compose, withoutNetworks);
    const broken = await networkCheck(dir);
    expect(broken.status).toBe('fail');
    expect(broken.findings![0]!.message).toBe(
      'AWS_XRAY_DAEMON_ADDRESS on backend-flask names xray-daemon, but they share no network (backend-flask is on internal-network, xray-daemon on default): xray-daemon does not resolve and nothing arrives',
    );
    expect(broken.findings![0]!.file).toBe('docker-compose.yaml');
    expect(broken.findings![0]!.fix).toMatch(/^add internal-network to the networks of xray-daemon \(docker-compose\.yaml:\d+\)$/);
  });

  it('mastodon (web, streaming and sidekiq on external_network and internal_network): the daemon joins both', async () => {
    const dir = await tempProject(join(CORPUS, 'mastodon__mastodon'));
    const run = await runObs(['init', '--yes', '--pipeline', 'direct', '--xray', '--dir', dir], { env: { CI: 'true' } });
    expect(run.exitCode, run.stderr).toBe(0);
    const compose = parse(await readFile(join(dir, 'docker-compose.yml'), 'utf8')) as { services: Record<string, { networks?: string[] | Record<string, unknown> }> };
    expect(compose.services['xray-daemon']!.networks).toEqual(['external_network', 'internal_network']);
    const check = await networkCheck(dir);
    expect(check.status).toBe('pass');
  });

  it("denisgulev, collector pipeline: the collector takes the daemon's place on internal-network, and compose resolves every sender onto it", async () => {
    const dir = await tempProject(join(CORPUS, 'denisgulev__aws-bootcamp-cruddur-2023'));
    // --force: the app's own endpoint pointed at Honeycomb; it now points at the collector.
    const run = await runObs(['init', '--yes', '--force', '--dir', dir], { env: { CI: 'true' } });
    expect(run.exitCode, run.stderr).toBe(0);
    const config = await execa('docker-compose', ['config'], { cwd: dir, env: { PATH: process.env.PATH ?? '' }, extendEnv: false, reject: false });
    expect(config.stdout, config.stderr).not.toBe('');
    const resolved = parse(config.stdout) as { services: Record<string, { networks?: Record<string, unknown>; environment?: Record<string, string> }> };
    expect(resolved.services['xray-daemon']).toBeUndefined();
    const collectorNets = Object.keys(resolved.services['otel-collector']!.networks ?? {});
    const senders = Object.entries(resolved.services).filter(([, s]) => /otel-collector/.test(`${s.environment?.OTEL_EXPORTER_OTLP_ENDPOINT} ${s.environment?.AWS_XRAY_DAEMON_ADDRESS}`));
    expect(senders.map(([name]) => name)).toContain('backend-flask');
    for (const [name, s] of senders) expect(collectorNets, name).toEqual(expect.arrayContaining(Object.keys(s.networks ?? {})));
    expect(collectorNets).toEqual(['internal-network']);
    expect((await networkCheck(dir)).status).toBe('pass');
  });

  it('mastodon, collector pipeline: the collector joins both networks of the apps', async () => {
    const dir = await tempProject(join(CORPUS, 'mastodon__mastodon'));
    const run = await runObs(['init', '--yes', '--dir', dir], { env: { CI: 'true' } });
    expect(run.exitCode, run.stderr).toBe(0);
    const compose = parse(await readFile(join(dir, 'docker-compose.yml'), 'utf8')) as { services: Record<string, { networks?: string[] | Record<string, unknown> }> };
    expect(compose.services['otel-collector']!.networks).toEqual(['external_network', 'internal_network']);
    expect(compose.services['xray-daemon']).toBeUndefined();
    expect((await networkCheck(dir)).status).toBe('pass');
  });
});
