import { checkbox, confirm, input, select } from '@inquirer/prompts';
import type { Context } from '../../context.js';

/** The questions `obs init` asks, bound to the context's streams (so tests can drive them). */
export interface Prompter {
  services(choices: { name: string; description: string }[], defaults: string[]): Promise<string[]>;
  confirm(message: string, defaultValue: boolean): Promise<boolean>;
  region(defaultValue: 'us' | 'eu'): Promise<'us' | 'eu'>;
  text(message: string, defaultValue: string, validate: (value: string) => true | string): Promise<string>;
  retention(defaultValue: number, allowed: readonly number[]): Promise<number>;
  pipeline(defaultValue: 'collector' | 'direct'): Promise<'collector' | 'direct'>;
}

export function inquirerPrompter(ctx: Context): Prompter {
  const streams = { input: ctx.stdin, output: ctx.stderr, clearPromptOnDone: false };
  return {
    services: (choices, defaults) =>
      checkbox(
        {
          message: 'Which services should send telemetry?',
          choices: choices.map((c) => ({ name: `${c.name} (${c.description})`, value: c.name, checked: defaults.includes(c.name) })),
          required: true,
        },
        streams,
      ),
    confirm: (message, defaultValue) => confirm({ message, default: defaultValue }, streams),
    region: (defaultValue) =>
      select(
        {
          message: 'Honeycomb region of your team',
          choices: [
            { name: 'US (api.honeycomb.io)', value: 'us' as const },
            { name: 'EU (api.eu1.honeycomb.io)', value: 'eu' as const },
          ],
          default: defaultValue,
        },
        streams,
      ),
    text: (message, defaultValue, validate) => input({ message, default: defaultValue, validate }, streams),
    pipeline: (defaultValue) =>
      select(
        {
          message: 'How should telemetry leave your apps?',
          choices: [
            { name: 'Through an OpenTelemetry Collector service (keys only there; browser traces; replaces the X-Ray daemon)', value: 'collector' as const },
            { name: 'Directly from each app (Honeycomb over OTLP, the X-Ray daemon)', value: 'direct' as const },
          ],
          default: defaultValue,
        },
        streams,
      ),
    retention: (defaultValue, allowed) =>
      select(
        {
          message: 'Keep logs for how many days?',
          choices: allowed.map((d) => ({ name: `${d} days`, value: d })),
          default: defaultValue,
        },
        streams,
      ),
  };
}
