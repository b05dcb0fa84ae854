import { describe, expect, it } from 'vitest';
import { defaultGroupName } from '../../src/backends/xray.js';

describe('defaultGroupName', () => {
  it('capitalises a short project name', () => {
    expect(defaultGroupName('cruddur')).toBe('Cruddur');
    expect(defaultGroupName('my_app.v2')).toBe('My-app-v2');
  });
  it('cuts a long name at the last word boundary that fits in 32 characters, not mid-word', () => {
    expect(defaultGroupName('omenking__aws-bootcamp-cruddur-2023__week2-baseline')).toBe('Omenking-aws-bootcamp-cruddur');
    expect(defaultGroupName('bhanumalhotra123__aws-bootcamp-cruddur-2023__xray-url-misuse')).toBe('Bhanumalhotra123-aws-bootcamp');
  });
  it('cuts hard when the only boundary would leave less than half', () => {
    expect(defaultGroupName('a-averyveryveryverylongwordthatneverends')).toBe('A-averyveryveryverylongwordthatn');
    expect(defaultGroupName('x'.repeat(40))).toBe('X'.padEnd(32, 'x'));
  });
  it('keeps every result a valid group name', () => {
    for (const name of ['__', '---', 'default', 'Default', '-a-', 'ä'.repeat(5)]) {
      const group = defaultGroupName(name);
      expect(group, name).toMatch(/^[A-Za-z0-9-]{1,32}$/);
      expect(group).not.toBe('Default');
    }
  });
});
