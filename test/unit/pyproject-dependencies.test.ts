import { describe, expect, it } from 'vitest';
import { addPyprojectDependencies, removePyprojectDependencies } from '../../src/instrument/pyproject-dependencies.js';
import { pythonFloor } from '../../src/instrument/python-otel-release.js';

/** What obs added to `before` and what remove then gives back: `before` itself, byte for byte. */
function roundTrip(before: string, packages: string[]): { added: string; back: string; removed: string[] } {
  const add = addPyprojectDependencies(before, packages);
  if (add.text === undefined) throw new Error(add.reason);
  const removal = removePyprojectDependencies(add.text, add.added);
  return { added: add.text, back: removal.text, removed: removal.removed };
}

describe('removePyprojectDependencies: the packages obs added to a pyproject.toml go, the rest stays as written', () => {
  const packages = ['opentelemetry-api==1.45.1', 'opentelemetry-sdk==1.45.1', 'rollbar'];

  it('a multi-line [project] list with a trailing comma (uv, PEP 621): each line obs wrote goes', () => {
    const before = '[project]\nname = "app"\ndependencies = [\n  "flask==3.1.3",\n  "gunicorn==26.0.0",\n]\n\n[tool.ruff]\nline-length = 79\n';
    const { added, back, removed } = roundTrip(before, packages);
    expect(added).toContain('  "opentelemetry-api==1.45.1",\n');
    expect(back).toBe(before);
    expect(removed).toEqual(packages);
  });

  it("a multi-line list whose last entry has no comma (Poetry 2 writes them so): obs's lines go first, and come out whole", () => {
    const before = '[project]\nname = "app"\ndependencies = [\n    "flask (>=3.1.0,<4.0.0)",\n    "redis (>=5.0.0,<6.0.0)"\n]\n';
    const { added, back } = roundTrip(before, packages);
    expect(added).toBe(
      '[project]\nname = "app"\ndependencies = [\n    "opentelemetry-api==1.45.1",\n    "opentelemetry-sdk==1.45.1",\n    "rollbar",\n    "flask (>=3.1.0,<4.0.0)",\n    "redis (>=5.0.0,<6.0.0)"\n]\n',
    );
    expect(back).toBe(before);
  });

  it('a one-line list, CRLF line endings and single quotes', () => {
    const before = "[project]\r\nname = 'app'\r\ndependencies = ['flask', 'redis>=5']\r\n";
    const { added, back } = roundTrip(before, packages);
    expect(added).toContain("['flask', 'redis>=5', 'opentelemetry-api==1.45.1', 'opentelemetry-sdk==1.45.1', 'rollbar']");
    expect(back).toBe(before);
  });

  it('an empty one-line list comes back empty', () => {
    const before = '[project]\nname = "app"\ndependencies = []\n';
    expect(roundTrip(before, packages).back).toBe(before);
  });

  it('a [project] table without dependencies: the list obs created goes whole', () => {
    const before = '[project]\nname = "app"\nversion = "0.1.0"\n\n[build-system]\nrequires = ["hatchling"]\n';
    const { added, back } = roundTrip(before, packages);
    expect(added).toContain('dependencies = [\n    "opentelemetry-api==1.45.1",');
    expect(back).toBe(before);
  });

  it('Poetry: the `name = "version"` lines obs appended to [tool.poetry.dependencies] go', () => {
    const before = '[tool.poetry]\nname = "app"\n\n[tool.poetry.dependencies]\npython = "^3.11"\nflask = "^3.0"\n\n[tool.poetry.group.dev.dependencies]\npytest = "^8"\n';
    const { added, back, removed } = roundTrip(before, packages);
    expect(added).toContain('flask = "^3.0"\nopentelemetry-api = "1.45.1"\nopentelemetry-sdk = "1.45.1"\nrollbar = "*"\n\n[tool.poetry.group.dev.dependencies]');
    expect(back).toBe(before);
    expect(removed).toEqual(packages);
  });

  it('an entry the user changed since, or listed before obs, is theirs: it stays and is named', () => {
    const text = '[project]\nname = "app"\ndependencies = [\n  "flask",\n  "opentelemetry-api>=1.40",\n  "opentelemetry-sdk==1.45.1",\n]\n';
    const result = removePyprojectDependencies(text, ['opentelemetry-api==1.45.1', 'opentelemetry-sdk==1.45.1', 'rollbar']);
    expect(result.text).toBe('[project]\nname = "app"\ndependencies = [\n  "flask",\n  "opentelemetry-api>=1.40",\n]\n');
    expect(result.removed).toEqual(['opentelemetry-sdk==1.45.1']);
    expect(result.changed).toEqual([{ entry: 'opentelemetry-api==1.45.1', now: 'opentelemetry-api>=1.40' }]);
  });

  it("items sharing lines with the user's in a multi-line list: only the items and their commas go", () => {
    const text = '[project]\ndependencies = [\n  "rollbar", "flask",\n  "redis", "opentelemetry-api==1.45.1",\n  "celery"\n]\n';
    const result = removePyprojectDependencies(text, ['rollbar', 'opentelemetry-api==1.45.1']);
    expect(result.text).toBe('[project]\ndependencies = [\n  "flask",\n  "redis",\n  "celery"\n]\n');
  });

  it('nothing recorded is there: the text is returned as it is', () => {
    const text = '[project]\ndependencies = ["flask"]\n';
    expect(removePyprojectDependencies(text, ['rollbar'])).toEqual({ text, removed: [], changed: [] });
  });

  it('a list obs cannot read (multi-line strings) is left as it is', () => {
    const text = '[project]\ndependencies = [\n  """rollbar""",\n]\n';
    expect(removePyprojectDependencies(text, ['rollbar'])).toEqual({ text, removed: [], changed: [] });
  });
});

describe('pythonFloor: the lowest Python a declared range allows (uv and poetry lock for all of it)', () => {
  it.each([
    ['>=3.9', { major: 3, minor: 9 }],
    ['^3.8', { major: 3, minor: 8 }],
    ['~=3.10', { major: 3, minor: 10 }],
    ['>=3.8,<4.0', { major: 3, minor: 8 }],
    ['>=3.8, >=3.9', { major: 3, minor: 9 }],
    ['^3.8 || ^3.11', { major: 3, minor: 8 }],
    ['==3.11.*', { major: 3, minor: 11 }],
    ['<3.13', undefined],
    ['*', undefined],
  ])('%s', (range, floor) => {
    expect(pythonFloor(range)).toEqual(floor);
  });
});
