import { findCollectors, type CollectorService } from '../../../collector/service.js';
import { parseCollectorConfig, type CollectorConfig } from '../../../collector/parse.js';
import { soleReference } from '../../../compose/interpolation.js';
import type { DoctorProject } from '../../types.js';
import { effectiveValue, serviceEnv } from './env.js';

/** A collector service and its config as read: parsed, or why not (with where). */
export interface LoadedCollector {
  collector: CollectorService;
  config?: CollectorConfig;
  problem?: { file: string; line: number; col?: number; message: string; fix?: string };
}

const cache = new WeakMap<DoctorProject, LoadedCollector[]>();

/** The project's collectors, each with its config file parsed once for all the collector checks. */
export function projectCollectors(project: DoctorProject): LoadedCollector[] {
  const cached = cache.get(project);
  if (cached) return cached;
  const out: LoadedCollector[] = [];
  if (project.project) {
    // The loader found the files with the same lookup order (shell, then .env).
    const lookup = (name: string) => project.env[name] ?? project.dotenv?.values.get(name) ?? (name === 'PWD' ? project.root : undefined);
    for (const collector of findCollectors(project.project, lookup, project.projectDir, project.root)) out.push(load(project, collector));
  }
  cache.set(project, out);
  return out;
}

/**
 * The collectors whose config was read, for the checks that look inside it; otherwise why those
 * checks have nothing to look at (collector-config reports an unreadable config).
 */
export function collectorsWithConfig(project: DoctorProject): { collectors: (LoadedCollector & { config: NonNullable<LoadedCollector['config']> })[] } | { why: string } {
  const all = projectCollectors(project);
  const collectors = all.filter((c): c is LoadedCollector & { config: NonNullable<LoadedCollector['config']> } => c.config !== undefined && c.config !== null);
  if (collectors.length > 0) return { collectors };
  return { why: all.length ? 'skipped: the collector config could not be read (see collector-config)' : 'no collector service' };
}

function load(project: DoctorProject, collector: CollectorService): LoadedCollector {
  const name = collector.service.name;
  if (!collector.configPath)
    return {
      collector,
      problem: {
        ...collector.configWhere,
        message: `${name} runs a collector, but no config file could be found (no --config in its command, and its image has no known default path)`,
        fix: 'command: ["--config=/etc/otelcol-contrib/config.yaml"]',
      },
    };
  if (!collector.mount) {
    return {
      collector,
      problem: {
        ...collector.configWhere,
        message: `${name} reads ${collector.configPath}, but no project file is mounted there: it runs the image's built-in config`,
        fix: `volumes: ["./otel-collector-config.yaml:${collector.configPath}:ro"]`,
      },
    };
  }
  const file = project.collectorConfigs.get(collector.mount.path);
  if (!file) {
    return {
      collector,
      problem: {
        file: collector.mount.file,
        line: collector.mount.line,
        message: `${name} mounts ${collector.mount.path} onto ${collector.configPath}, but there is no such file: docker creates an empty directory there and the collector does not start`,
      },
    };
  }
  const parsed = parseCollectorConfig(file.path, file.text);
  if ('problem' in parsed) return { collector, problem: { file: parsed.problem.path, line: parsed.problem.line, col: parsed.problem.col, message: parsed.problem.message } };
  return { collector, config: parsed };
}

/** How a variable gets into the collector's container, or why it does not. */
export type Reach =
  | { status: 'set'; from: 'environment' | 'env_file'; file: string; line: number; literal: boolean }
  | { status: 'empty'; file: string; line: number; why: string; /** The project variable that has no value. */ variable: string }
  | { status: 'missing' };

/** Whether `name` reaches `service`'s container with a value (compose environment or env_file, interpolated). */
export function reachOf(project: DoctorProject, service: string, name: string): Reach {
  const entry = serviceEnv(project, service).get(name);
  if (!entry) return { status: 'missing' };
  const value = effectiveValue(project, entry);
  if (!value.complete || value.value.trim() === '') {
    const ref = entry.value === null ? entry.key : (soleReference(entry.value)?.name ?? entry.key);
    return { status: 'empty', file: entry.file, line: entry.line, why: `${ref} is not set in .env or the shell`, variable: ref };
  }
  const literal = entry.value !== null && !entry.value.includes('$');
  return { status: 'set', from: entry.from, file: entry.file, line: entry.line, literal };
}
