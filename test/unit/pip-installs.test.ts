import { describe, expect, it } from 'vitest';
import { imageRequirementFiles, requirementsClosure } from '../../src/stacks/pip-installs.js';

/** The requirements files an image installs, from its Dockerfile's pip lines and COPY lines (flasky's split requirements, issue 12). */
describe('imageRequirementFiles', () => {
  const has =
    (...paths: string[]) =>
    (p: string) =>
      paths.includes(p);

  it("flasky: `COPY requirements requirements` then a venv's pip installs requirements/docker.txt", () => {
    const dockerfile = 'FROM python:3.6-alpine\nWORKDIR /home/flasky\nCOPY requirements requirements\nRUN python -m venv venv\nRUN venv/bin/pip install -r requirements/docker.txt\nCOPY app app\n';
    expect(imageRequirementFiles(dockerfile, undefined, has('requirements.txt', 'requirements/docker.txt', 'requirements/common.txt'))).toEqual(['requirements/docker.txt']);
  });

  it('a file copied by name, into a folder or to its own name; pip3, python -m pip, uv pip, --requirement=', () => {
    expect(imageRequirementFiles('FROM python:3.12\nWORKDIR /app\nCOPY requirements.txt ./\nRUN pip3 install --no-cache-dir -r requirements.txt\n', undefined, has('requirements.txt'))).toEqual([
      'requirements.txt',
    ]);
    expect(
      imageRequirementFiles('FROM python:3.12\nCOPY reqs/prod.txt /tmp/req.txt\nRUN python3 -m pip install --requirement=/tmp/req.txt && rm /tmp/req.txt\n', undefined, has('reqs/prod.txt')),
    ).toEqual(['reqs/prod.txt']);
    expect(
      imageRequirementFiles(
        'FROM python:3.12\nWORKDIR /srv\nCOPY . .\nRUN uv pip install --system -r requirements/base.txt -r requirements/web.txt\n',
        undefined,
        has('requirements/base.txt', 'requirements/web.txt'),
      ),
    ).toEqual(['requirements/base.txt', 'requirements/web.txt']);
  });

  it('the stage compose builds: a target stage that installs another file wins; a file not in the context or a variable names nothing', () => {
    const dockerfile =
      'FROM python:3.12 AS base\nWORKDIR /app\nCOPY requirements ./requirements\nFROM base AS dev\nRUN pip install -r requirements/dev.txt\nFROM base AS prod\nRUN pip install -r requirements/prod.txt\n';
    const files = has('requirements/dev.txt', 'requirements/prod.txt');
    expect(imageRequirementFiles(dockerfile, 'dev', files)).toEqual(['requirements/dev.txt']);
    expect(imageRequirementFiles(dockerfile, undefined, files)).toEqual(['requirements/prod.txt']);
    expect(imageRequirementFiles('FROM python:3.12\nCOPY . /app\nRUN pip install -r /app/missing.txt -r $REQS\n', undefined, files)).toEqual([]);
  });
});

describe('requirementsClosure', () => {
  it('follows -r lines relative to the including file, each file once, only files that exist', () => {
    const files = new Map([
      ['requirements.txt', '-r requirements/heroku.txt\n'],
      ['requirements/heroku.txt', '-r prod.txt\nFlask-SSLify==0.1.5\n'],
      ['requirements/prod.txt', '-r common.txt\n-r missing.txt\n'],
      ['requirements/common.txt', 'Flask==0.12.2\n-r ../requirements.txt\n'],
    ]);
    expect(requirementsClosure(['requirements.txt'], (p) => files.get(p))).toEqual(['requirements.txt', 'requirements/heroku.txt', 'requirements/prod.txt', 'requirements/common.txt']);
  });
});
