import type { ObsConfig } from '../../config/obs-config.js';
import { UsageError } from '../../errors.js';
import { MANAGED_TAG } from '../../aws/tags.js';
import { validateGroup, type DesiredGroup } from '../../aws/xray-group.js';
import { validateSamplingRule, type DesiredSamplingRule } from '../../aws/xray-sampling-rule.js';
import { validateLogGroup, type DesiredLogGroup } from '../../aws/log-group.js';

export interface DesiredResources {
  groups: DesiredGroup[];
  rules: DesiredSamplingRule[];
  logGroups: DesiredLogGroup[];
}

const managed = () => new Map<string, string>([[MANAGED_TAG.key, MANAGED_TAG.value]]);

/**
 * What obs.yaml declares, checked like the flags of the single commands: a bad value is one
 * line naming its place in obs.yaml (exit 2), before any AWS call.
 */
export function desiredFromConfig(config: ObsConfig, file: string): DesiredResources {
  const at = (path: string) => `${file} ${path}`;
  const groups = config.xray.enabled
    ? config.xray.groups.map((g, i) => {
        const desired: DesiredGroup = {
          name: str(g.name, at(`xray.groups[${i}].name`)),
          filterExpression: g.filterExpression === undefined ? undefined : str(g.filterExpression, at(`xray.groups[${i}].filterExpression`)),
          insights: g.insights === undefined ? undefined : bool(g.insights, at(`xray.groups[${i}].insights`)),
          tags: managed(),
        };
        validateGroup(desired, (field) => at(`xray.groups[${i}].${field}`));
        return desired;
      })
    : [];
  const rules = config.xray.enabled
    ? config.xray.samplingRules.map((r, i) => {
        const p = (field: string) => at(`xray.samplingRules[${i}].${field}`);
        const desired: DesiredSamplingRule = {
          RuleName: str(r.ruleName, p('ruleName')),
          ResourceARN: str(r.resourceArn ?? '*', p('resourceArn')),
          Priority: num(r.priority, p('priority')),
          FixedRate: num(r.fixedRate, p('fixedRate')),
          ReservoirSize: num(r.reservoirSize, p('reservoirSize')),
          ServiceName: str(r.serviceName ?? '*', p('serviceName')),
          ServiceType: str(r.serviceType ?? '*', p('serviceType')),
          Host: str(r.host ?? '*', p('host')),
          HTTPMethod: str(r.httpMethod ?? '*', p('httpMethod')),
          URLPath: str(r.urlPath ?? '*', p('urlPath')),
          Version: 1,
          tags: managed(),
        };
        validateSamplingRule(desired, (field) => p(camel(field)));
        return desired;
      })
    : [];
  const logGroups = config.cloudwatch.enabled
    ? config.cloudwatch.logGroups.map((l, i) => {
        const desired: DesiredLogGroup = {
          name: str(l.name, at(`cloudwatch.logGroups[${i}].name`)),
          retentionInDays: l.retentionInDays === undefined ? undefined : num(l.retentionInDays, at(`cloudwatch.logGroups[${i}].retentionInDays`)),
          tags: managed(),
        };
        validateLogGroup(desired, (field) => at(`cloudwatch.logGroups[${i}].${field}`));
        return desired;
      })
    : [];
  return { groups, rules, logGroups };
}

/** obs.yaml spells sampling-rule fields in camelCase; the API in PascalCase (HTTPMethod -> httpMethod). */
function camel(field: string): string {
  const special: Record<string, string> = { HTTPMethod: 'httpMethod', URLPath: 'urlPath', ResourceARN: 'resourceArn', RuleName: 'ruleName' };
  return special[field] ?? field.charAt(0).toLowerCase() + field.slice(1);
}

function str(value: unknown, where: string): string {
  if (typeof value !== 'string') throw new UsageError(`${where} must be a string, got ${JSON.stringify(value ?? null)}`);
  return value;
}

function num(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new UsageError(`${where} must be a number, got ${JSON.stringify(value ?? null)}`);
  return value;
}

function bool(value: unknown, where: string): boolean {
  if (typeof value !== 'boolean') throw new UsageError(`${where} must be true or false, got ${JSON.stringify(value)}`);
  return value;
}
