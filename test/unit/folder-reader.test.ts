import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FolderReader } from '../../src/io/folder-reader.js';

const root = mkdtempSync(join(tmpdir(), 'obs-folder-reader-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

mkdirSync(join(root, 'app', 'src'), { recursive: true });
mkdirSync(join(root, 'common'));
writeFileSync(join(root, 'app', 'package.json'), '{"name":"app"}\n');
writeFileSync(join(root, 'app', 'src', 'index.js'), 'console.log(1)\n');
writeFileSync(join(root, 'common', 'requirements.txt'), 'flask\n');

describe('FolderReader', () => {
  it('reads files, nested ones and ones reached through ..', () => {
    const folders = new FolderReader();
    const app = join(root, 'app');
    expect(folders.read(app, 'package.json')).toBe('{"name":"app"}\n');
    expect(folders.read(app, 'src/index.js')).toBe('console.log(1)\n');
    expect(folders.read(app, '../common/requirements.txt')).toBe('flask\n');
  });

  it('answers undefined for what is missing: a file, a folder on the way, a whole context', () => {
    const folders = new FolderReader();
    const app = join(root, 'app');
    expect(folders.read(app, 'Gemfile')).toBeUndefined();
    expect(folders.read(app, 'lib/index.js')).toBeUndefined();
    expect(folders.read(app, 'package.json/x')).toBeUndefined();
    expect(folders.read(join(root, 'nowhere'), 'package.json')).toBeUndefined();
    expect(folders.list(join(root, 'nowhere')).size).toBe(0);
  });

  it('reads each file once, however often it is asked for', () => {
    const folders = new FolderReader();
    const app = join(root, 'app');
    expect(folders.read(app, 'package.json')).toBe('{"name":"app"}\n');
    writeFileSync(join(app, 'package.json'), 'changed');
    expect(folders.read(app, 'package.json')).toBe('{"name":"app"}\n');
    writeFileSync(join(app, 'package.json'), '{"name":"app"}\n');
  });
});
