import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_CHECKS } from '../../src/backends/index.js';
import type { CheckResult, DoctorOptions } from '../../src/checks/types.js';
import { loadDoctorProject } from '../../src/commands/doctor/load.js';
import { REPO_ROOT, tempProject } from '../support/run-obs.js';

/*
 * What the project checks must find in the corpus (test/fixtures/corpus, see its INDEX.md).
 * One row per expected finding: the case (`case@file` runs doctor with `-f file`), the check id,
 * the check's status, where the finding points (file:line, or file:line:col when it has a column; `-` for a check without findings,
 * whose detail is matched instead) and a piece of the message.
 */
const TABLE = `
| case | check | status | where | message contains |
|---|---|---|---|---|
| ExamProCo__aws-bootcamp-cruddur-2023__shell-in-yaml | compose-file | fail | docker-compose.yml:11:7 | invalid YAML: Implicit keys need to be on a single line |
| madhavi-chavva__aws-bootcamp-cruddur-2023 | compose-file | fail | docker-compose.yml:17:16 | invalid YAML: Nested mappings are not allowed in compact mappings |
| madhavi-chavva__aws-bootcamp-cruddur-2023 | otel-headers | skip | - | could not be read |
| AfroLatino__aws-bootcamp-cruddur | compose-interpolation | fail | docker-compose.yml:9 | \`\${}\` is not a valid interpolation (compose stops with "Invalid template") |
| AfroLatino__aws-bootcamp-cruddur | otel-headers | fail | docker-compose.yml:9 | x-honeycomb-team=\${} names no variable |
| Benedicta-Onyekwere__aws-bootcamp-cruddur-2023 | otel-headers | fail | docker-compose.yml:9 | \`x-honeycomb-team\${HONEYCOMB_API_KEY}\` with no = between the header name and the key |
| felixpitterling__aws-bootcamp-cruddur-2023 | otel-headers | fail | docker-compose.yml:18 | \`x-honeycomb-team:\${HONEYCOMB_API_KEY}\` with a colon |
| FavyanL__cruddur-aws__header-typo | env-var-names | fail | docker-compose.yml:8 | OTEL_EXPORTER_OTLP_HEADER on backend-flask: no SDK reads this name; did you mean OTEL_EXPORTER_OTLP_HEADERS? |
| FavyanL__cruddur-aws__header-typo | otel-headers | fail | docker-compose.yml:7 | backend-flask sends to Honeycomb (https://api.honeycomb.io) without OTEL_EXPORTER_OTLP_HEADERS |
| bhanumalhotra123__aws-bootcamp-cruddur-2023__oltp-typo | env-var-names | fail | docker-compose.yml:8 | OTEL_EXPORTER_OLTP_ENDPOINT on backend-flask: no SDK reads this name; did you mean OTEL_EXPORTER_OTLP_ENDPOINT? |
| bhanumalhotra123__aws-bootcamp-cruddur-2023__oltp-typo | env-var-names | fail | docker-compose.yml:9 | did you mean OTEL_EXPORTER_OTLP_HEADERS? |
| Cfenton07__aws-bootcamp-cruddur-2023__otep-typo | env-var-names | fail | docker-compose.yml:8 | OTEP_EXPORTER_OTLP_ENDPOINT on backend-flask: no SDK reads this name; did you mean OTEL_EXPORTER_OTLP_ENDPOINT? |
| Cfenton07__aws-bootcamp-cruddur-2023__otep-typo | env-var-names | fail | docker-compose.yml:9 | did you mean OTEL_EXPORTER_OTLP_HEADERS? |
| omenking__aws-bootcamp-cruddur-2023__daemon-addr-typo | env-var-names | fail | docker-compose.yml:11 | AWS_XRAY_DAEMON_ADDRSES on backend-flask: no SDK reads this name; did you mean AWS_XRAY_DAEMON_ADDRESS? |
| omenking__aws-bootcamp-cruddur-2023__daemon-addr-typo | xray-daemon-address | fail | docker-compose.yml:10 | but no AWS_XRAY_DAEMON_ADDRESS: the SDK sends to 127.0.0.1:2000 |
| omenking__aws-bootcamp-cruddur-2023__daemon-addr-typo | xray-daemon-setup | warn | docker-compose.yml:25 | xray-daemon publishes no UDP port 2000 |
| omenking__aws-bootcamp-cruddur-2023__daemon-addr-typo | xray-url | warn | docker-compose.yml:10 | it lacks the trailing * |
| krunalijain__aws-bootcamp-cruddur-2023 | env-var-names | fail | docker-compose.yml:13 | EXPOROTEL_TER_OTLP_HEADERS on backend-flask: it has the letters of a known name in another order; did you mean OTEL_EXPORTER_OTLP_HEADERS? |
| krunalijain__aws-bootcamp-cruddur-2023 | otel-headers | fail | docker-compose.yml:12 | without OTEL_EXPORTER_OTLP_HEADERS |
| CracktheDom__aws-bootcamp-cruddur-2023__xray-flag-zero | xray-daemon-command | fail | docker-compose.yml:70 | \`-0\` is not a daemon flag (that is a zero): did you mean -o? |
| CracktheDom__aws-bootcamp-cruddur-2023__xray-flag-zero | otel-service-name | warn | docker-compose.yml:8 | OTEL_RESOURCE_ATTRIBUTES on backend-flask sets service.name=backend, but OTEL_SERVICE_NAME (backend-flask) wins |
| CracktheDom__aws-bootcamp-cruddur-2023__bad-image | xray-daemon-image | warn | docker-compose.yml:64 | xray-daemon runs image amazon-xray-daemon, which is not the X-Ray daemon image |
| omenking__aws-bootcamp-cruddur-2023__week2-baseline | xray-daemon-command | fail | docker-compose.yml:36 | command item "xray -o -b xray-daemon:2000" reaches xray-daemon as one argument after /xray's own flags, and it starts with \`xray\` |
| omenking__aws-bootcamp-cruddur-2023__week2-baseline | xray-maintenance | warn | docker-compose.yml:29 | in maintenance since 2026-02-25 (security fixes only) and reach end of support on 2027-02-25 |
| bhanumalhotra123__aws-bootcamp-cruddur-2023__xray-url-misuse | xray-url | warn | docker-compose.yml:11 | \`http://xray-daemon:2000\`, which looks like the daemon address (with a http:// scheme) |
| bhanumalhotra123__aws-bootcamp-cruddur-2023__xray-url-misuse | xray-daemon-address | fail | docker-compose.yml:12 | \`0.0.0.0:2000\`: 0.0.0.0 is where a daemon listens, not an address to send to |
| bhanumalhotra123__aws-bootcamp-cruddur-2023__xray-url-misuse | xray-daemon-command | fail | docker-compose.yml:43 | command item "xray -o -b 0.0.0.0:2000" reaches xray-daemon as one argument |
| CloudWest2023__aws-bootcamp-cruddur-2023 | xray-url | warn | docker-compose.yaml:14 | it holds a https:// scheme, which the Host header it is matched against never does, and it lacks the leading and trailing * |
| CloudWest2023__aws-bootcamp-cruddur-2023 | compose-interpolation | warn | docker-compose.yaml:13 | HONEYCOMB_API_KEY is only set in the environment of backend-flask, which does not feed interpolation |
| timmy-cde__aws-bootcamp-cruddur-2023@docker-compose copy.yml | xray-url | warn | docker-compose copy.yml:17 | it holds a https:// scheme |
| mjolsen-sw__aws-cruddur | xray-daemon-present | fail | docker-compose.yml:9 | backend-flask sets AWS_XRAY_URL and AWS_XRAY_DAEMON_ADDRESS, but no service runs the X-Ray daemon (the daemon at docker-compose.yml:44 is commented out) |
| mjolsen-sw__aws-cruddur | xray-url | warn | docker-compose.yml:9 | \`127.0.0.1:4567\`: it lacks the leading and trailing * |
| philemonnwanne__aws-bootcamp-cruddur-2023 | xray-daemon-present | fail | docker-compose.yml:43 | backend sets AWS_XRAY_URL and AWS_XRAY_DAEMON_ADDRESS, but no service runs the X-Ray daemon (the daemon at docker-compose.yml:61 is commented out) |
| Samba73__aws-bootcamp-cruddur-2023 | xray-daemon-present | fail | docker-compose.yml:19 | no service runs the X-Ray daemon (the daemon at docker-compose.yml:81 is commented out) |
| amitnike__aws-bootcamp-cruddur-2023 | xray-daemon-present | fail | docker-compose.yml:14 | no service runs the X-Ray daemon (the daemon at docker-compose.yml:72 is commented out) |
| ExamProCo__aws-bootcamp-cruddur-2023__commented-xray | xray-daemon-present | skip | - | X-Ray is not used |
| Android60__aws-bootcamp-cruddur-2023 | browser-exposed-secret | fail | docker-compose.yml:38 | REACT_APP_HONEYCOMB_API_KEY on frontend-react-js hands $HONEYCOMB_API_KEY to the browser build |
| Android60__aws-bootcamp-cruddur-2023 | compose-interpolation | warn | docker-compose.yml:40 | AWS_DEFAULT_REGION is only set in the environment of backend-flask and frontend-react-js |
| honeycombio__honeycomb-opentelemetry-node__smoke-tests | otel-service-name-unique | fail | smoke-tests/docker-compose.yml:10 | all send as OTEL_SERVICE_NAME hello-node-express |
| honeycombio__honeycomb-opentelemetry-python__smoke-tests | otel-service-name-unique | fail | smoke-tests/docker-compose.yml:10 | all send as OTEL_SERVICE_NAME otel-python-example |
| FavyanL__cruddur-aws | otel-endpoint | fail | docker-compose.yml:11 | ends in /v1/traces, but the SDK appends /v1/<signal> to it |
| FavyanL__cruddur-aws | otel-headers | fail | docker-compose.yml:12 | holds a literal Honeycomb key (hcai…(32 chars)) |
| kmb40__aws-bootcamp-cruddur-2023 | otel-headers | fail | docker-compose.yml:12 | holds a literal Honeycomb key (XXXX…(22 chars)) |
| bhanumalhotra123__aws-bootcamp-cruddur-2023__hardcoded-aws-keys | xray-daemon-setup | fail | docker-compose.yml:32 | AWS_ACCESS_KEY_ID on xray-daemon is written out (AKIA…(20 chars)) |
| OpeOginni__aws-bootcamp-cruddur-2023 | xray-daemon-setup | warn | docker-compose.yml:72 | xray-daemon publishes port 2000 over TCP only |
| Cfenton07__aws-bootcamp-cruddur-2023__collector | xray-daemon-setup | warn | docker-compose.yml:83 | xray-daemon does not run in local mode (-o) |
| Cfenton07__aws-bootcamp-cruddur-2023__collector | otel-endpoint | pass | - | backend-flask http://otel-collector:4318 |
| philemonnwanne__aws-bootcamp-cruddur-2023__compose-yml | compose-interpolation | warn | compose.yml:51 | the key \`\${APP_NAME}-network\` is not interpolated |
| omenking__aws-bootcamp-cruddur-2023__prod-ecs | xray-daemon-setup | skip | - | deployed to ECS |
| omenking__aws-bootcamp-cruddur-2023__prod-ecs | xray-daemon-image | pass | - | a private ECR image |
| open-telemetry__opentelemetry-demo | otel-endpoint | pass | - | ad http://otel-collector:4318, cart |
| open-telemetry__opentelemetry-demo | otel-service-name | pass | - | instrumented per OTEL_* variables |
| getsentry__self-hosted | compose-file | pass | - | docker-compose.yml: |
| AfroLatino__aws-bootcamp-cruddur | xray-maintenance | skip | - | X-Ray is not used |
`;

interface Row {
  case: string;
  file?: string;
  check: string;
  status: CheckResult['status'];
  where: string;
  text: string;
}

const ROWS: Row[] = TABLE.trim()
  .split('\n')
  .slice(2)
  .map((line) => {
    const [caseAt, check, status, where, text] = line
      .slice(1, -1)
      .split(' | ')
      .map((c) => c.trim()) as [string, string, CheckResult['status'], string, string];
    const [name, file] = caseAt.split('@') as [string, string | undefined];
    return { case: name, file, check, status, where, text };
  });

/** Cases whose compose file is in a sub-folder or has a name compose does not discover. */
const EXPLICIT: Record<string, string[]> = {
  cyberark__conjur: ['dev/docker-compose.yml'],
  'honeycombio__honeycomb-opentelemetry-node__smoke-tests': ['smoke-tests/docker-compose.yml'],
  'honeycombio__honeycomb-opentelemetry-python__smoke-tests': ['smoke-tests/docker-compose.yml'],
  apache__airflow: ['airflow-core/docs/howto/docker-compose/docker-compose.yaml'],
  'omenking__aws-bootcamp-cruddur-2023__prod-ecs': ['docker-compose.prod.yml'],
  PostHog__posthog: ['docker-compose.dev.yml'],
  'ndrwptrsn__react-flask-postgres-boilerplate': ['Docker-compose.yml'],
};

const INVALID = new Set(['ExamProCo__aws-bootcamp-cruddur-2023__shell-in-yaml', 'madhavi-chavva__aws-bootcamp-cruddur-2023']);

const OPTIONS: DoctorOptions = { online: false, sendTestSpan: false, aws: { regionSource: 'the AWS profile' } };
const CORPUS = join(REPO_ROOT, 'test', 'fixtures', 'corpus');

/** case (or case@file) -> check id -> result, every check over every case, run once. */
const results = new Map<string, Map<string, CheckResult>>();
const dirs: string[] = [];

async function runAll(key: string, name: string, files: string[] | undefined): Promise<void> {
  const dir = await tempProject(join(CORPUS, name));
  dirs.push(dir);
  // An empty environment: what a fresh shell outside Gitpod/Codespaces would give compose.
  const project = await loadDoctorProject(dir, {}, files);
  const byCheck = new Map<string, CheckResult>();
  for (const check of PROJECT_CHECKS) byCheck.set(check.id, await check.run(project, OPTIONS));
  results.set(key, byCheck);
}

let cases: string[] = [];

beforeAll(async () => {
  cases = (await readdir(CORPUS, { withFileTypes: true }))
    .filter((d) => d.isDirectory() && !d.name.startsWith('_'))
    .map((d) => d.name)
    .sort();
  await Promise.all(cases.map((name) => runAll(name, name, EXPLICIT[name])));
  for (const row of ROWS.filter((r) => r.file)) await runAll(`${row.case}@${row.file}`, row.case, [row.file!]);
}, 120_000);

afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('project checks over the corpus', () => {
  it('runs every check over every case', () => {
    expect(cases.length).toBeGreaterThanOrEqual(50);
    for (const name of cases) expect(results.get(name)!.size).toBe(PROJECT_CHECKS.length);
  });

  it('finds a valid compose file in every case but the two broken ones', () => {
    for (const name of cases) {
      const status = results.get(name)!.get('compose-file')!.status;
      expect([name, status]).toEqual([name, INVALID.has(name) ? 'fail' : 'pass']);
    }
  });

  it.each(ROWS.map((r) => [`${r.case}${r.file ? `@${r.file}` : ''}`, r.check, r] as const))('%s: %s', (key, check, row) => {
    const result = results.get(key)!.get(check)!;
    expect(result.status).toBe(row.status);
    if (row.where === '-') {
      expect(result.detail).toContain(row.text);
      return;
    }
    const found = (result.findings ?? []).filter((f) => `${f.file}:${f.line}${f.col ? `:${f.col}` : ''}` === row.where && f.message.includes(row.text));
    expect(found, `${key} ${check}: no finding at ${row.where} containing "${row.text}" in\n${JSON.stringify(result.findings, null, 2)}`).toHaveLength(1);
    expect(found[0]!.fix).toBeTruthy();
  });

  it('points every finding about a compose file at a line', () => {
    for (const [key, byCheck] of results) {
      for (const result of byCheck.values()) {
        for (const f of result.findings ?? []) {
          if (f.file && /compose/.test(f.file)) expect([key, result.id, f.line]).toEqual([key, result.id, expect.any(Number)]);
        }
      }
    }
  });

  it('never shows a credential: the corpus redacts them as runs of X, which must not appear whole', () => {
    for (const [key, byCheck] of results) {
      const text = JSON.stringify([...byCheck.values()]);
      expect([key, /X{16,}/.test(text)]).toEqual([key, false]);
    }
  });

  it('flags the `xray -o -b` single-item command wherever the daemon is written that way', () => {
    const flagged = cases.filter((name) => (results.get(name)!.get('xray-daemon-command')!.findings ?? []).some((f) => f.message.includes('reaches xray-daemon as one argument')));
    expect(flagged.length).toBeGreaterThanOrEqual(20);
    for (const name of flagged) expect(results.get(name)!.get('xray-daemon-command')!.fix).toBe('command: ["-o"]');
  });
});
