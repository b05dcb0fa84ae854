import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GROUP_NAME_LIMITS, serviceFilter, validateGroup, xrayGroupHandler, type DesiredGroup } from '../../src/aws/xray-group.js';
import { ATTRIBUTE_LIMITS, parseSamplingRuleFile, RULE_LIMITS, samplingRuleHandler, validateSamplingRule, type DesiredSamplingRule } from '../../src/aws/xray-sampling-rule.js';
import { UsageError } from '../../src/errors.js';
import { SEED_SAMPLING_RULE } from '../support/seed-rule.js';

/** The official model: obs's bounds are copied from it, and these tests keep the copy honest. */
interface Shape {
  type: string;
  min?: number;
  max?: number;
  required?: string[];
  members?: Record<string, { shape: string }>;
}
const model = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'support', 'xray-model', 'xray-2016-04-12.json'), 'utf8')) as { shapes: Record<string, Shape> };
const shape = (name: string) => model.shapes[name]!;

describe('limits equal the X-Ray model', () => {
  it.each(Object.entries(RULE_LIMITS))('SamplingRule.%s', (field, limit) => {
    const member = shape('SamplingRule').members![field]!;
    expect(member.shape).toBe(limit.shape);
    const s = shape(limit.shape);
    expect(limit.type).toBe(s.type);
    expect(limit.min).toBe(s.min);
    // Version: the model says only min 1; the service accepts only format 1 (documented).
    if (field === 'Version') expect([s.max, limit.max]).toEqual([undefined, 1]);
    else expect(limit.max).toBe(s.max);
  });

  it('covers every SamplingRule member and every required one', () => {
    const members = Object.keys(shape('SamplingRule').members!);
    const handledElsewhere = ['RuleARN', 'Attributes', 'SamplingRateBoost'];
    expect(members.filter((m) => !(m in RULE_LIMITS) && !handledElsewhere.includes(m))).toEqual([]);
    for (const required of shape('SamplingRule').required!) expect(RULE_LIMITS).toHaveProperty(required);
    expect(shape('SamplingRule').members!.Attributes!.shape).toBe(ATTRIBUTE_LIMITS.entries.shape);
  });

  it.each(Object.entries(ATTRIBUTE_LIMITS))('attributes %s', (_name, limit) => {
    const s = shape(limit.shape);
    expect([limit.max, 'min' in limit ? limit.min : s.min]).toEqual([s.max, s.min]);
  });

  it('GroupName', () => {
    expect(shape('CreateGroupRequest').members!.GroupName!.shape).toBe(GROUP_NAME_LIMITS.shape);
    expect([GROUP_NAME_LIMITS.min, GROUP_NAME_LIMITS.max]).toEqual([shape('GroupName').min, shape('GroupName').max]);
  });
});

const RULE = SEED_SAMPLING_RULE;
const desiredRule = (over: Partial<DesiredSamplingRule> = {}): DesiredSamplingRule => ({ ...RULE, tags: new Map(), ...over });
const refusal = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    const e = err as UsageError;
    return e.location ? `${e.location}: ${e.message}` : e.message;
  }
  throw new Error('not refused');
};

describe('validateSamplingRule', () => {
  const flag = (f: string) => `<${f}>`;
  it.each([
    [{ Priority: 0 }, '<Priority> must be a whole number from 1 to 9999, got 0'],
    [{ Priority: 10.5 }, '<Priority> must be a whole number from 1 to 9999, got 10.5'],
    [{ FixedRate: 1.5 }, '<FixedRate> must be a number from 0 to 1, got 1.5'],
    [{ ReservoirSize: -1 }, '<ReservoirSize> must be a whole number of 0 or more, got -1'],
    [{ ReservoirSize: 2 ** 31 }, '<ReservoirSize> must be a whole number of 0 or more, got 2147483648'],
    [{ RuleName: 'x'.repeat(33) }, '<RuleName> must be 1 to 32 characters, got 33'],
    [{ RuleName: 'Default' }, '<RuleName> cannot be "Default": X-Ray reserves that name for its built-in rule'],
    [{ HTTPMethod: 'x'.repeat(11) }, '<HTTPMethod> must be at most 10 characters, got 11'],
    [{ URLPath: 'x'.repeat(129) }, '<URLPath> must be at most 128 characters, got 129'],
    [{ ResourceARN: 'x'.repeat(501) }, '<ResourceARN> must be at most 500 characters, got 501'],
    [{ Version: 2 }, '<Version> must be exactly 1, got 2'],
    [{ Attributes: { a: '1', b: '2', c: '3', d: '4', e: '5', f: '6' } }, '<Attributes> can have at most 5 attributes, got 6'],
    [{ Attributes: { ['k'.repeat(33)]: 'v' } }, `<Attributes> key "${'k'.repeat(33)}" must be 1 to 32 characters`],
    [{ Attributes: { k: '' } }, '<Attributes> value of "k" must be 1 to 32 characters, got ""'],
  ])('%j', (over, message) => {
    expect(refusal(() => validateSamplingRule(desiredRule(over as Partial<DesiredSamplingRule>), flag))).toBe(message);
  });

  it('accepts the bounds themselves', () => {
    validateSamplingRule(desiredRule({ Priority: 1, FixedRate: 0, ReservoirSize: 0, ServiceName: 'x'.repeat(64), Attributes: { ['k'.repeat(32)]: 'v'.repeat(32) } }), flag);
    validateSamplingRule(desiredRule({ Priority: 9999, FixedRate: 1 }), flag);
  });
});

describe('parseSamplingRuleFile', () => {
  const json = (v: unknown) => JSON.stringify(v, null, 2);
  it('reads the AWS CLI input and the bare rule alike', () => {
    expect(parseSamplingRuleFile(json({ SamplingRule: RULE }), 'x.json')).toEqual(RULE);
    expect(parseSamplingRuleFile(`\uFEFF${json(RULE)}`, 'x.json')).toEqual(RULE);
    const withTags = parseSamplingRuleFile(json({ SamplingRule: { ...RULE, Attributes: { a: 'b' } }, Tags: [{ Key: 'team', Value: 'web' }] }), 'x.json');
    expect(withTags.Attributes).toEqual({ a: 'b' });
    expect([...withTags.tags!]).toEqual([['team', 'web']]);
  });

  it.each([
    [{ SamplingRule: { ...RULE, FixedRate: 1.5 } }, 'x.json: SamplingRule.FixedRate must be a number from 0 to 1, got 1.5'],
    [{ SamplingRule: { ...RULE, FixedRate: '0.1' } }, 'x.json: SamplingRule.FixedRate must be a number from 0 to 1, got "0.1"'],
    [{ SamplingRule: { ...RULE, Host: 5 } }, 'x.json: SamplingRule.Host must be a string of at most 64 characters, got 5'],
    [{ ...RULE, Priority: 0 }, 'x.json: Priority must be a whole number from 1 to 9999, got 0'],
    [{ SamplingRule: { ...RULE, ResevoirSize: 5 } }, 'x.json: SamplingRule.ResevoirSize is not a sampling rule field (did you mean ReservoirSize?)'],
    [{ SamplingRule: { ...RULE, Version: null } }, 'x.json: SamplingRule.Version is missing; X-Ray requires it (exactly 1)'],
    [
      { SamplingRule: { ...RULE, SamplingRateBoost: { MaxRate: 1, CooldownWindowMinutes: 1 } } },
      'x.json: SamplingRule.SamplingRateBoost is not supported by obs yet; remove it, or set it with aws xray update-sampling-rule',
    ],
    [{ SamplingRule: { ...RULE, Attributes: { a: 1 } } }, 'x.json: SamplingRule.Attributes.a must be a string, got 1'],
    [{ SamplingRule: RULE, Tags: [{ Key: 'aws:x', Value: 'y' }] }, 'x.json: Tags[0] keys cannot start with "aws:": AWS reserves that prefix'],
    [{ SamplingRule: RULE, Extra: 1 }, 'x.json: Extra is not a create-sampling-rule member (SamplingRule, Tags)'],
    [
      { family: 'xray-daemon', containerDefinitions: [] },
      'x.json: not an X-Ray sampling rule (found "family", "containerDefinitions"); expected {"SamplingRule": {...}} as aws xray create-sampling-rule --cli-input-json takes',
    ],
    [[RULE], 'x.json: not an X-Ray sampling rule (the top level is not a JSON object); expected {"SamplingRule": {...}} as aws xray create-sampling-rule --cli-input-json takes'],
  ])('%j', (doc, message) => {
    expect(refusal(() => parseSamplingRuleFile(json(doc), 'x.json'))).toBe(message);
  });

  it.each([
    ['{\n  "SamplingRule": {\n    "RuleName": "a",\n  }\n}', 'x.json:4:3: invalid JSON: Expected double-quoted property name'],
    ['{\n  "a": [1,]\n}', "x.json:2:11: invalid JSON: Unexpected token ']'"],
    ["{'a': 1}", "x.json:1:2: invalid JSON: Expected property name or '}'"],
    ['{\n  "a": 1', 'x.json:2:9: invalid JSON: the file ends before the JSON does'],
    ['', 'x.json:1:1: invalid JSON: the file ends before the JSON does'],
  ])('syntax error %j names file:line:col', (text, message) => {
    expect(refusal(() => parseSamplingRuleFile(text, 'x.json'))).toBe(message);
  });
});

describe('groups', () => {
  it.each([
    ['backend-flask', false, 'service("backend-flask")'],
    ['backend-flask', true, 'service("backend-flask") {fault OR error}'],
    ['https://4567-abc.gitpod.io', true, 'service("4567-abc.gitpod.io") {fault OR error}'],
    ['http://localhost:4567/api', false, 'service("localhost:4567")'],
    ['we"ird\\name', false, 'service("we\\"ird\\\\name")'],
  ])('serviceFilter(%j, %j)', (input, errorsOnly, expected) => {
    expect(serviceFilter(input, errorsOnly)).toBe(expected);
  });

  const group = (over: Partial<DesiredGroup>): DesiredGroup => ({ name: 'Cruddur', tags: new Map(), ...over });
  const label = (f: string) => `<${f}>`;
  it.each([
    [{ name: '' }, '<name> must be 1 to 32 characters, got 0'],
    [{ name: 'a_b' }, '<name> may contain only letters, digits and dashes: "a_b"'],
    [{ name: 'Default' }, '<name> cannot be "Default": X-Ray reserves that name'],
    [{ notifications: true }, '<notifications> needs insights enabled too (X-Ray sends notifications only for Insights)'],
    // What shells did to the Cruddur journals' commands (test/fixtures/corpus/_aws-cli-commands).
    [{ filterExpression: 'service(\\"backend-flask\\")' }, '<filterExpression> has a backslash outside a quoted string (shell quoting left \\" in it?): service(\\"backend-flask\\")'],
    [{ filterExpression: 'service(backend-flask)' }, '<filterExpression> needs the name in service(...) double-quoted, e.g. service("api"): service(backend-flask)'],
    [{ filterExpression: 'service("backend-flask)' }, '<filterExpression> has an unterminated double-quoted string: service("backend-flask)'],
    [{ filterExpression: 'service("a") {fault' }, '<filterExpression> is missing a closing "}": service("a") {fault'],
    [{ filterExpression: ' ' }, '<filterExpression> is empty:  '],
  ])('refuses %j', (over, message) => {
    expect(refusal(() => validateGroup(group(over), label))).toBe(message);
  });

  it.each([
    'service("api") {fault OR error}',
    'service() { fault }',
    'edge("a", "b") { error }',
    'service(id(name: "x", type: "AWS::Lambda::Function"))',
    'annotation.k = "(v"',
    'http.url CONTAINS "service(x"',
  ])('accepts %s', (filterExpression) => {
    validateGroup(group({ filterExpression }), label);
  });

  it('plans only the fields given', () => {
    const current = { GroupName: 'Cruddur', GroupARN: 'arn:g', FilterExpression: 'service("a")', InsightsConfiguration: { InsightsEnabled: true, NotificationsEnabled: false } };
    expect(xrayGroupHandler.plan(group({ filterExpression: 'service("a")' }), current)).toMatchObject({ action: 'unchanged', arn: 'arn:g' });
    expect(xrayGroupHandler.plan(group({ filterExpression: 'service("b")', insights: true }), current)).toMatchObject({
      action: 'update',
      differences: [{ field: 'FilterExpression', before: 'service("a")', after: 'service("b")' }],
    });
  });
});

describe('samplingRuleHandler.plan', () => {
  const current = { ...RULE, RuleARN: 'arn:r', Attributes: {} };
  it('is unchanged when only RuleARN and an empty Attributes map differ', () => {
    expect(samplingRuleHandler.plan(desiredRule(), current)).toMatchObject({ action: 'unchanged', differences: [] });
  });
  it('reports a different Version as needing a recreate, next to the fields it can update', () => {
    const change = samplingRuleHandler.plan(desiredRule({ FixedRate: 0.2 }), { ...current, Version: 2 });
    expect(change.action).toBe('update');
    expect(change.differences.map((d) => d.field)).toEqual(['FixedRate', 'Version (cannot be updated: delete the rule to recreate it)']);
  });
});
