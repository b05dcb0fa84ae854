import { describe, expect, it } from 'vitest';
import { declaredPythonPackages } from '../../src/instrument/requirements.js';
import { detectStack, type ContextFiles } from '../../src/stacks/detect.js';
import { pythonPackageManager } from '../../src/stacks/package-manager.js';
import { readPyproject } from '../../src/stacks/pyproject.js';

const context = (files: Record<string, string>): ContextFiles => ({ has: (n) => n in files, get: (n) => files[n] });

/* pyproject.toml read as TOML: the forms a line-by-line reader missed or misread. */
describe('pyproject.toml, read with a TOML parser', () => {
  it('dotted keys and a dependency list spread over lines with comments', () => {
    const text = '[project]\nname = "api"\ndependencies = [\n  "Flask[async] >= 3.0", # web\n  \'requests\',\n]\n[tool]\npoetry.group.dev.dependencies.pytest = { version = "^8.0" }\n';
    expect(Object.fromEntries(declaredPythonPackages(new Map([['pyproject.toml', text]])))).toEqual({ flask: '>= 3.0', requests: '', pytest: '^8.0' });
    expect(detectStack(context({ 'pyproject.toml': text }))).toBe('flask');
  });

  it('a "dependencies" key inside a multi-line string is not a dependency list', () => {
    const text = '[project]\nname = "api"\ndescription = """\ndependencies = ["flask"]\n"""\n';
    expect(declaredPythonPackages(new Map([['pyproject.toml', text]])).size).toBe(0);
    expect(detectStack(context({ 'pyproject.toml': text }))).toBe('python');
  });

  it('flask in optional dependencies or a dependency group makes a Flask app, as before', () => {
    expect(detectStack(context({ 'pyproject.toml': '[project.optional-dependencies]\nweb = ["flask>=3"]\n' }))).toBe('flask');
    expect(detectStack(context({ 'pyproject.toml': '[dependency-groups]\nweb = ["flask"]\n' }))).toBe('flask');
  });

  it('the package manager from [tool.uv] and Poetry dependencies, also as dotted keys', () => {
    expect(pythonPackageManager(context({ 'pyproject.toml': '[tool.uv]\ndev-dependencies = []\n' }))).toBe('uv');
    expect(pythonPackageManager(context({ 'pyproject.toml': '[tool.poetry]\ndependencies = { python = "^3.12" }\n' }))).toBe('poetry');
    expect(pythonPackageManager(context({ 'pyproject.toml': '[project]\n# [tool.uv]\n' }))).toBe('pip');
  });

  it('invalid TOML declares nothing', () => {
    expect(readPyproject('[project\ndependencies = ["flask"]\n')).toBeUndefined();
    expect(declaredPythonPackages(new Map([['pyproject.toml', '[project\ndependencies = ["flask"]\n']])).size).toBe(0);
  });
});
