/**
 * The floor plan of src/, enforced by `npm run lint:deps` (part of `npm test`).
 *
 *   entry + commands   src/main.ts, src/cli.ts, src/commands/<name>/
 *     ↓
 *   backends           src/backends/          (one module per backend, each with its checks; the list)
 *     ↓
 *   checks             src/checks/            (doctor's checks, one per file)
 *     ↓
 *   domain             compose, dotenv, config, secrets, aws, instrument, project, stacks, collector
 *     ↓
 *   base               io, text, plan, startup, errors.ts, context.ts, version.ts
 *
 * Nothing imports upward, a command does not import another command, there are no cycles, and
 * the YAML structure of compose files is walked only in src/compose/ (src/config/ reads obs.yaml,
 * src/collector/ writes the collector's config).
 */
const DOMAIN = '^src/(compose|dotenv|config|secrets|aws|instrument|project|stacks|collector)/';
const BASE = '^src/((io|text|plan|startup)/|(errors|context|version)[.]ts$)';
const UPPER_THAN_DOMAIN = '^src/(checks/|backends/|commands/|cli[.]ts$|main[.]ts$)';
const ENTRY = '^src/(commands/|cli[.]ts$|main[.]ts$)';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle means two modules are one: merge them, or move what both need one layer down.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'backends-not-to-commands',
      severity: 'error',
      comment: 'A backend module is used by the commands, never the other way round.',
      from: { path: '^src/backends/' },
      to: { path: ENTRY },
    },
    {
      name: 'checks-not-upward',
      severity: 'error',
      comment: 'Checks sit below the backends and commands: move what a check needs into the domain.',
      from: { path: '^src/checks/' },
      to: { path: `^src/backends/|${ENTRY}` },
    },
    {
      name: 'domain-not-upward',
      severity: 'error',
      comment: 'The domain (compose, dotenv, config, secrets, aws, instrument, project, stacks, collector) knows nothing of checks, backends or commands.',
      from: { path: DOMAIN },
      to: { path: UPPER_THAN_DOMAIN },
    },
    {
      name: 'base-not-upward',
      severity: 'error',
      comment: 'io, text and plan are the floor: they import nothing above them.',
      from: { path: BASE },
      to: { path: `${DOMAIN}|${UPPER_THAN_DOMAIN}` },
    },
    {
      name: 'commands-not-sideways',
      severity: 'error',
      comment: 'A command does not import another command: what two commands share belongs in the domain.',
      from: { path: '^src/commands/([^/]+)/' },
      to: { path: '^src/commands/', pathNot: '^src/commands/$1/' },
    },
    {
      name: 'check-libs-private',
      severity: 'error',
      comment: 'checks/*/lib/ serve the checks only: what a command needs too belongs in the domain.',
      from: { path: '^src/', pathNot: '^src/checks/' },
      to: { path: '^src/checks/[^/]+/lib/' },
    },
    {
      name: 'yaml-only-in-compose-and-config',
      severity: 'error',
      comment: "Only src/compose/ walks compose YAML (src/config/ reads obs.yaml, src/collector/ renders the collector's config): elsewhere use compose/'s functions.",
      from: { path: '^src/', pathNot: '^src/(compose|config|collector)/' },
      to: { path: '(^|/)node_modules/yaml/' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that does not resolve.',
      from: { path: '^src/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    includeOnly: { path: ['^src/', 'node_modules/yaml/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], mainFields: ['module', 'main', 'types'] },
  },
};
