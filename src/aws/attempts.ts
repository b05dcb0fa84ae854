/**
 * How long obs waits for AWS, and what it says while it waits. An endpoint that accepts the
 * connection and never answers used to cost 3 attempts x 30 s in silence (91.6 s measured).
 *
 * Timeouts per attempt (the SDK makes up to 3, AWS_MAX_ATTEMPTS changes that):
 * - look-ups (Get*, Describe*, List*): 5 s for the first attempt, 15 s for the next ones. These
 *   control-plane reads answer in well under a second (a page of at most 50 groups or rules);
 *   5 s is several times a slow answer over a poor link and does not include connecting, which
 *   has its own 5 s. A network that is merely slow still gets 15 s on the retries.
 * - writes (Create*, Update*, Put*, Tag*): 30 s each. A write that timed out may still have
 *   been applied, and its retry then meets "already exists" (handled, but a second round trip):
 *   waiting longer before giving up is cheaper than that.
 * A silent endpoint now costs a look-up 5 + 15 + 15 s, with a line for each step on stderr.
 */
export interface AttemptTimeouts {
  connectMs: number;
  firstLookupMs: number;
  lookupMs: number;
  writeMs: number;
}

export const DEFAULT_TIMEOUTS: AttemptTimeouts = { connectMs: 5_000, firstLookupMs: 5_000, lookupMs: 15_000, writeMs: 30_000 };

/** After this long without an answer obs says what it is waiting for. */
export const WAIT_NOTICE_MS = 2_000;

const WRITE = /^(Create|Update|Put|Tag|Untag|Delete|Associate|Disassociate)/;

export function isLookup(operation: string): boolean {
  return !WRITE.test(operation);
}

export function attemptTimeoutMs(timeouts: AttemptTimeouts, operation: string, attempt: number): number {
  if (!isLookup(operation)) return timeouts.writeMs;
  return attempt <= 1 ? timeouts.firstLookupMs : timeouts.lookupMs;
}

interface HttpRequestLike {
  method?: string;
  path?: string;
  headers?: Record<string, string | undefined>;
  body?: unknown;
}

/**
 * The API operation a signed request carries, for the handler (which sees only the request):
 * `X-Amz-Target: Logs_20140328.DescribeLogGroups` (JSON protocols), `Action=GetCallerIdentity`
 * (STS's query protocol), or the last path segment (X-Ray's REST paths: /CreateGroup, /Groups).
 */
export function operationOfRequest(request: HttpRequestLike): string {
  const headers = request.headers ?? {};
  const target = Object.entries(headers).find(([k]) => k.toLowerCase() === 'x-amz-target')?.[1];
  if (target) return target.slice(target.lastIndexOf('.') + 1);
  if (typeof request.body === 'string') {
    const action = /(?:^|&)Action=([A-Za-z]+)/.exec(request.body)?.[1];
    if (action) return action;
  }
  const segments = (request.path ?? '').split('/').filter(Boolean);
  return segments[segments.length - 1] ?? '';
}

/** `attempt=2; max=3` (the SDK's amz-sdk-request header) -> [2, 3]. */
export function attemptOf(headers: Record<string, string | undefined> | undefined): [number, number] {
  const value = Object.entries(headers ?? {}).find(([k]) => k.toLowerCase() === 'amz-sdk-request')?.[1] ?? '';
  const attempt = Number(/attempt=(\d+)/.exec(value)?.[1] ?? 1);
  const max = Number(/max=(\d+)/.exec(value)?.[1] ?? 1);
  return [attempt, max];
}

interface RequestHandlerLike {
  handle(request: HttpRequestLike, options?: Record<string, unknown>): Promise<unknown>;
}

/** The client's HTTP handler with each attempt's own timeout (see AttemptTimeouts); the rest is the handler's. */
export function withAttemptTimeouts<H extends RequestHandlerLike>(handler: H, timeouts: AttemptTimeouts): H {
  const handle = (request: HttpRequestLike, options: Record<string, unknown> = {}) => {
    const [attempt] = attemptOf(request.headers);
    return handler.handle(request, { ...options, requestTimeout: attemptTimeoutMs(timeouts, operationOfRequest(request), attempt) });
  };
  return new Proxy(handler, {
    get(target, prop) {
      if (prop === 'handle') return handle;
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** Why an attempt failed, in words: "got no answer within 5 s", "failed (HTTP 503)". */
export function describeFailedAttempt(err: unknown, timeoutMs: number): string {
  const e = (err ?? {}) as { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  if (e.name === 'TimeoutError' || /timed? ?out|exceeded .* requestTimeout/i.test(e.message ?? '')) return `got no answer within ${seconds(timeoutMs)}`;
  if (e.code) return `could not connect (${e.code})`;
  const status = e.$metadata?.httpStatusCode;
  return `failed (${[e.name, status ? `HTTP ${status}` : undefined].filter(Boolean).join(', ') || 'no reason given'})`;
}

export function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}

export type Progress = (line: string) => void;

interface MiddlewareClient {
  config: { requestHandler: unknown };
  middlewareStack: {
    add(
      middleware: (next: (args: { request?: HttpRequestLike }) => Promise<unknown>, context: { commandName?: string }) => (args: { request?: HttpRequestLike }) => Promise<unknown>,
      options: { step: 'finalizeRequest'; priority: 'low'; name: string },
    ): void;
  };
}

/**
 * Gives `client` per-attempt timeouts and, when `progress` is given, says what it waits for:
 * a line once an attempt has waited WAIT_NOTICE_MS, and a line before each retry with the
 * reason. The middleware sits inside the SDK's retry loop, so it runs once per attempt.
 */
export function patientClient<C>(client: C, timeouts: AttemptTimeouts, where: string, progress?: Progress): C {
  const c = client as unknown as MiddlewareClient;
  c.config.requestHandler = withAttemptTimeouts(c.config.requestHandler as RequestHandlerLike, timeouts);
  if (!progress) return client;
  const lastFailure = new WeakMap<object, { err: unknown; timeoutMs: number }>();
  c.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = (context.commandName ?? '').replace(/Command$/, '');
      const [attempt, max] = attemptOf(args.request?.headers);
      const timeoutMs = attemptTimeoutMs(timeouts, operation, attempt);
      const previous = lastFailure.get(context);
      if (attempt > 1 && previous) {
        progress(`obs: ${operation} to ${where} ${describeFailedAttempt(previous.err, previous.timeoutMs)}; retrying (attempt ${attempt} of ${max}, waiting up to ${seconds(timeoutMs)})`);
      }
      const notice = setTimeout(
        () => progress(`obs: waiting for ${where} to answer ${operation} (attempt ${attempt} of ${max}, up to ${seconds(timeoutMs)})`),
        Math.min(WAIT_NOTICE_MS, timeoutMs / 2),
      );
      notice.unref();
      try {
        return await next(args);
      } catch (err) {
        lastFailure.set(context, { err, timeoutMs });
        throw err;
      } finally {
        clearTimeout(notice);
      }
    },
    { step: 'finalizeRequest', priority: 'low', name: 'obsAttemptProgress' },
  );
  return client;
}
