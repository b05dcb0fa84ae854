/**
 * Which OpenTelemetry Python release obs writes for a Flask service: the stable packages (api,
 * sdk, exporter) at one version and the contrib instrumentations made with them, which pin the
 * same semantic-conventions release. The image's Python decides the line: each release supports
 * a range of Pythons, and a package pinned past the image's Python has no release pip can
 * install, so the image build fails.
 */
export interface PythonVersion {
  major: number;
  minor: number;
}

export interface OtelRelease {
  stable: string;
  contrib: string;
}

/**
 * The newest release (sdk 1.45.1 and contrib 0.66b1 both need semantic-conventions==0.66b1).
 * Exact versions: left unpinned, pip takes the newest sdk (1.45.2, semantic-conventions 0.66b2)
 * that no contrib release matches yet and backtracks through every older instrumentation-flask
 * (20-30 s of a warm-cache install; pinned: 5 s, bench/RESULTS.md). Both need Python >= 3.10.
 */
export const PYTHON_OTEL_RELEASE = { stable: '1.45.1', contrib: '0.66b1', python: { major: 3, minor: 10 } } as const;

/**
 * For each older Python, the last release that supports it: what pip itself installs on an image
 * with that Python (`pip install --dry-run --python-version 3.X --only-binary=:all:` of the
 * packages, 2026-12-06; those Pythons get no newer releases). test/e2e/flask-python-lines.test.ts
 * resolves obs's requirements for each and runs the module obs writes against them.
 */
export const PYTHON_OTEL_LINES: readonly (OtelRelease & { python: PythonVersion })[] = [
  PYTHON_OTEL_RELEASE,
  { stable: '1.41.1', contrib: '0.62b1', python: { major: 3, minor: 9 } },
  { stable: '1.33.1', contrib: '0.54b1', python: { major: 3, minor: 8 } },
  { stable: '1.22.0', contrib: '0.43b0', python: { major: 3, minor: 7 } },
  { stable: '1.12.0', contrib: '0.33b0', python: { major: 3, minor: 6 } },
];

/** The oldest Python any OpenTelemetry release supports. */
export const OLDEST_OTEL_PYTHON: PythonVersion = PYTHON_OTEL_LINES[PYTHON_OTEL_LINES.length - 1]!.python;

const atLeast = (python: PythonVersion, floor: PythonVersion) => python.major > floor.major || (python.major === floor.major && python.minor >= floor.minor);

/**
 * The lowest Python a version range allows (`>=3.9`, `^3.8`, `~=3.8`, `~3.8`, `==3.9.*`,
 * `>=3.8,<4`, `^3.8 || ^3.10`), when it names one. A locking manager (uv, poetry) resolves for
 * every Python in the range, so the release must support that one too.
 */
export function pythonFloor(range: string | undefined): PythonVersion | undefined {
  if (range === undefined) return undefined;
  let lowest: PythonVersion | undefined;
  for (const alternative of range.split('||')) {
    // Within one alternative the bounds all hold: the highest lower bound is the floor.
    let floor: PythonVersion | undefined;
    for (const m of alternative.matchAll(/(>=|>|\^|~=|~|===?)\s*(\d+)\.(\d+)/g)) {
      const bound = { major: Number(m[2]), minor: Number(m[3]) };
      if (!floor || atLeast(bound, floor)) floor = bound;
    }
    if (!floor) return undefined; // an alternative without a lower bound: any Python
    if (!lowest || atLeast(lowest, floor)) lowest = floor;
  }
  return lowest;
}

/** The older of two Pythons, either of which may be unknown. */
export function olderPython(a: PythonVersion | undefined, b: PythonVersion | undefined): PythonVersion | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return atLeast(a, b) ? b : a;
}

/** The release for the image's Python (the newest when it is unknown); undefined when no release supports it. */
export function releaseForPython(python: PythonVersion | undefined): OtelRelease | undefined {
  if (python === undefined) return PYTHON_OTEL_RELEASE;
  return PYTHON_OTEL_LINES.find((line) => atLeast(python, line.python));
}

/**
 * The release to pin: the one an exact pin of the service names (sdk/api `==1.Y.Z`, or a contrib
 * package `==0.Xb Z`, e.g. 0.37b0 with 1.16.0), else the one for the image's Python. None (left
 * to pip) when the service constrains an opentelemetry-* package some other way (`>=`, `~=`,
 * `<`), which a pin could contradict, or when no release supports the image's Python.
 */
export function otelRelease(declared: ReadonlyMap<string, string>, python: PythonVersion | undefined): (OtelRelease & { fromService: boolean }) | undefined {
  const stablePin = /^==\s*1\.(\d+)\.(\d+)\s*$/.exec(declared.get('opentelemetry-sdk') ?? declared.get('opentelemetry-api') ?? '');
  if (stablePin) return { stable: `1.${stablePin[1]}.${stablePin[2]}`, contrib: `0.${Number(stablePin[1]) + 21}b${stablePin[2]}`, fromService: true };
  for (const [name, spec] of declared) {
    if (!name.startsWith('opentelemetry-') || spec.trim() === '' || spec.trim() === '*') continue;
    const contribPin = /^==\s*0\.(\d+)b(\d+)\s*$/.exec(spec);
    if (contribPin && Number(contribPin[1]) > 21) {
      return { stable: `1.${Number(contribPin[1]) - 21}.${contribPin[2]}`, contrib: `0.${contribPin[1]}b${contribPin[2]}`, fromService: false };
    }
    return undefined;
  }
  const release = releaseForPython(python);
  return release && { ...release, fromService: false };
}

/** Instrumentations first released after contrib 0.12b0 (the first contrib release on PyPI). */
const FIRST_CONTRIB_MINOR: Readonly<Record<string, number>> = {
  'opentelemetry-instrumentation-httpx': 23,
  'opentelemetry-instrumentation-psycopg': 45,
};

/** Whether `pkg` has a release at contrib version `contrib` (0.Xb Y). */
export function instrumentationAt(pkg: string, contrib: string): boolean {
  const minor = Number(/^0\.(\d+)b/.exec(contrib)?.[1] ?? Infinity);
  return minor >= (FIRST_CONTRIB_MINOR[pkg] ?? 12);
}

/** opentelemetry-api has the logs API (`opentelemetry._logs`) from 1.15.0 on. */
export function hasLogsApi(stable: string): boolean {
  const minor = Number(/^1\.(\d+)\./.exec(stable)?.[1] ?? Infinity);
  return minor >= 15;
}
