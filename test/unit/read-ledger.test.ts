import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ReadLedger } from '../../src/io/read-ledger.js';

/** The ledger answers "did anything obs planned from change since it was read?" from content hashes. */
const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function folder(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'obs-ledger-'));
  dirs.push(dir);
  return dir;
}

describe('ReadLedger', () => {
  it('nothing changed: no file named', async () => {
    const dir = await folder();
    await writeFile(join(dir, 'a.yml'), 'a: 1\n');
    const ledger = new ReadLedger();
    ledger.record(join(dir, 'a.yml'), Buffer.from('a: 1\n'));
    ledger.record(join(dir, 'missing.txt'), null);
    expect(ledger.firstChanged(dir)).toBeUndefined();
  });

  it('names a file changed, created or deleted since it was read, relative to the root', async () => {
    const dir = await folder();
    const ledger = new ReadLedger();
    ledger.record(join(dir, 'a.yml'), Buffer.from('a: 1\n'));
    await writeFile(join(dir, 'a.yml'), 'a: 2\n');
    expect(ledger.firstChanged(dir)).toEqual({ path: 'a.yml', now: 'changed' });

    const created = new ReadLedger();
    created.record(join(dir, 'sub', '.env'), null);
    expect(created.firstChanged(dir)).toBeUndefined();
    await rm(join(dir, 'a.yml'));
    const deleted = new ReadLedger();
    deleted.record(join(dir, 'a.yml'), Buffer.from('a: 1\n'));
    expect(deleted.firstChanged(dir)).toEqual({ path: 'a.yml', now: 'deleted' });
    await writeFile(join(dir, '.env'), 'A=1\n');
    const made = new ReadLedger();
    made.record(join(dir, '.env'), null);
    expect(made.firstChanged(dir)).toEqual({ path: '.env', now: 'created' });
  });

  it('compares bytes, not decoded text: two different invalid UTF-8 bytes are a change', async () => {
    const dir = await folder();
    const ledger = new ReadLedger();
    ledger.record(join(dir, '.env'), Buffer.from([0x41, 0x3d, 0xe4, 0x0a]));
    await writeFile(join(dir, '.env'), Buffer.from([0x41, 0x3d, 0xe5, 0x0a]));
    expect(ledger.firstChanged(dir)).toEqual({ path: '.env', now: 'changed' });
  });

  it('the first read counts', async () => {
    const dir = await folder();
    await writeFile(join(dir, 'a'), 'new');
    const ledger = new ReadLedger();
    ledger.record(join(dir, 'a'), Buffer.from('old'));
    ledger.record(join(dir, 'a'), Buffer.from('new'));
    expect(ledger.firstChanged(dir)?.path).toBe('a');
  });
});
