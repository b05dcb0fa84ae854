/**
 * Adds gems to a Gemfile as text: the file is appended to, never rewritten. A gem already
 * declared anywhere (any group, any version constraint, `require: false`) counts as present.
 * A Gemfile obs cannot read line by line is refused with a reason.
 */
import { ADDED_COMMENT, appendBlock, type ManifestResult } from './requirements.js';

const GEM_CALL = /^\s*gem\s*\(?\s*(["'])([A-Za-z0-9._-]+)\1/;

export function addGems(text: string, names: readonly string[], file = 'Gemfile'): ManifestResult {
  const present = new Set<string>();
  const quotes = { '"': 0, "'": 0 };
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^(<{7}|={7}|>{7})(\s|$)/.test(line)) return { text: undefined, reason: `${file}:${i + 1}: unresolved merge conflict` };
    if (/^\s*#/.test(line) || !/^\s*gem\b(?![-_])/.test(line)) continue;
    const call = GEM_CALL.exec(line);
    if (!call) return { text: undefined, reason: `${file}:${i + 1}: obs cannot read \`${line.trim()}\` (it expects gem "name", ...)` };
    present.add(call[2]!.toLowerCase());
    quotes[call[1] as '"' | "'"]++;
  }
  if (present.size === 0) {
    return { text: undefined, reason: `${file} declares no gem with \`gem "name"\` (only a gemspec?): add the gems where the app's dependencies are declared` };
  }
  const missing = names.filter((n, i) => !present.has(n.toLowerCase()) && names.indexOf(n) === i);
  if (missing.length === 0) return { text, added: [] };
  const q = quotes["'"] > quotes['"'] ? "'" : '"';
  return { text: appendBlock(text, [`# ${ADDED_COMMENT}`, ...missing.map((n) => `gem ${q}${n}${q}`)]), added: missing };
}
