import { describe, expect, it } from 'vitest';
import { detectStack, type ContextFiles } from '../../src/stacks/detect.js';

const context = (files: Record<string, string>): ContextFiles => ({ has: (n) => n in files, get: (n) => files[n] });

describe('detectStack reads package.json as npm does', () => {
  // Editors on Windows save JSON with a byte-order mark; npm, node and obs's Node planner read past it.
  it('a package.json that starts with a byte-order mark still names its React app', () => {
    const pkg = '\uFEFF{\r\n  "name": "web",\r\n  "dependencies": { "react": "^18.2.0", "react-dom": "^18.2.0" }\r\n}\r\n';
    expect(detectStack(context({ 'package.json': pkg }))).toBe('react');
    expect(detectStack(context({ 'package.json': pkg.replace('"react-dom"', '"next": "14.0.0", "react-dom"') }))).toBe('node');
  });
});
