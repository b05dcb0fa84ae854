/**
 * X-Ray filter expressions of the form obs writes for groups, evaluated against one segment as
 * X-Ray does for a trace whose service node is that segment:
 *
 *     service("backend-flask") {fault OR error} OR service("api") {fault OR error}
 *
 * `service("name")` matches a segment whose `name` is exactly name (X-Ray's service node is
 * the segment name); `{fault}`, `{error}`, `{throttle}` and `{ok}` (joined by OR) restrict it
 * to segments with that flag. Anything else throws, so a test never passes on syntax this
 * evaluator does not know.
 */
export interface SegmentFlags {
  name: string;
  fault?: boolean;
  error?: boolean;
  throttle?: boolean;
}

const TERM = /^service\("((?:[^"\\]|\\.)*)"\)(?:\s*\{\s*([a-z]+(?:\s+OR\s+[a-z]+)*)\s*\})?$/;

export function matchesFilter(expression: string, segment: SegmentFlags): boolean {
  const terms = expression.trim().split(/\s+OR\s+(?=service\()/);
  return terms.some((term) => {
    const m = TERM.exec(term.trim());
    if (!m) throw new Error(`filter expression not understood by the test evaluator: ${JSON.stringify(term)}`);
    const name = m[1]!.replace(/\\(.)/g, '$1');
    if (segment.name !== name) return false;
    if (m[2] === undefined) return true;
    return m[2].split(/\s+OR\s+/).some((flag) => {
      if (flag === 'fault') return segment.fault === true;
      if (flag === 'error') return segment.error === true;
      if (flag === 'throttle') return segment.throttle === true;
      if (flag === 'ok') return !segment.fault && !segment.error && !segment.throttle;
      throw new Error(`filter flag not understood by the test evaluator: ${flag}`);
    });
  });
}
