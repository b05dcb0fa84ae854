import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDoctorProject } from '../../src/commands/doctor/load.js';
import { discover } from '../../src/project/discover.js';
import { loadProject, partError } from '../../src/project/load.js';

async function folder(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'obs-load-'));
  for (const [name, text] of Object.entries(files)) await writeFile(join(root, name), text);
  return root;
}

const COMPOSE = 'services:\n  api:\n    image: nginx\n    env_file: api.env\n';

describe('the one project loader', () => {
  it('keeps each part with its own error instead of throwing', async () => {
    const root = await folder({ 'compose.yaml': COMPOSE, '.env': 'A=1\nnot a line\n', 'obs.yaml': 'version: [\n', 'api.env': 'B="open\n' });
    const load = loadProject(root);
    expect(load.compose.error).toBeUndefined();
    expect(load.project?.services.map((s) => s.name)).toEqual(['api']);
    expect(partError(load.dotenv)).toMatchObject({ file: '.env', line: 2 });
    expect(partError(load.obsConfig)).toBeDefined();
    expect(partError(load.envFiles.get('api.env')!)).toBeDefined();
  });

  it('init requires the parts (first error in init order), doctor reports them', async () => {
    const root = await folder({ 'compose.yaml': COMPOSE, '.env': 'A=1\nnot a line\n', 'obs.yaml': 'version: [\n', 'api.env': 'B=2\n' });
    const load = loadProject(root);
    await expect(discover(root, undefined)).rejects.toMatchObject({ file: '.env', line: 2, exitCode: 2 });
    const doctor = await loadDoctorProject(root, {});
    expect(doctor.dotenv?.error).toBe(partError(load.dotenv)?.message);
    expect(doctor.obsConfigError?.message).toBe(partError(load.obsConfig)?.message);
    expect(doctor.envFiles.get('api.env')?.values.get('B')).toBe('2');
  });

  it('a broken compose file: init throws its error, doctor records it with file and line', async () => {
    const root = await folder({ 'compose.yaml': 'services:\n  api: [\n' });
    const load = loadProject(root);
    const error = load.compose.error as { file?: string; line?: number };
    expect(error.file).toBe('compose.yaml');
    await expect(discover(root, undefined)).rejects.toMatchObject({ file: 'compose.yaml', line: error.line, exitCode: 2 });
    const doctor = await loadDoctorProject(root, {});
    expect(doctor.composeError).toMatchObject({ file: 'compose.yaml', line: error.line });
    expect(doctor.compose).toEqual([]);
  });

  it('no compose file: an error for init, nothing to report for doctor (its compose check says so)', async () => {
    const root = await folder({});
    await expect(discover(root, undefined)).rejects.toThrow(/^no compose file in /);
    const doctor = await loadDoctorProject(root, {});
    expect(doctor.composeError).toBeUndefined();
    expect(doctor.composePaths).toEqual([]);
  });
});
