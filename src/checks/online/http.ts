import { redactKnown } from '../../secrets/redact.js';
import { readVersion } from '../../version.js';

/** How long one request to Honeycomb (or an OTLP endpoint) may take. */
export const HTTP_TIMEOUT_MS = 10_000;

export interface HttpAnswer {
  status: number;
  statusText: string;
  text: string;
  json?: unknown;
}

let userAgent: string | undefined;
function agent(): string {
  try {
    userAgent ??= `obs/${readVersion()}`;
  } catch {
    userAgent = 'obs';
  }
  return userAgent;
}

/**
 * One request; a network failure becomes `{ error }` with a sentence naming the URL, never a throw.
 * The URL in messages is the one given (it holds no secret: keys travel in headers).
 */
export async function request(url: string, init: { method: 'GET' | 'POST'; headers: Record<string, string>; body?: string }): Promise<{ answer: HttpAnswer } | { error: string }> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: init.method,
      headers: { 'user-agent': agent(), ...init.headers },
      body: init.body,
      signal: AbortSignal.timeout(HTTP_TIMEOUT_MS),
      redirect: 'manual',
    });
  } catch (err) {
    return { error: networkError(url, err) };
  }
  let text: string;
  try {
    text = await res.text();
  } catch (err) {
    return { error: networkError(url, err) };
  }
  let json: unknown;
  try {
    json = text.trim() === '' ? undefined : JSON.parse(text);
  } catch {
    // not JSON: messages use the text
  }
  return { answer: { status: res.status, statusText: res.statusText, text, json } };
}

function networkError(url: string, err: unknown): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string; name?: string } };
  if (e.name === 'TimeoutError' || e.cause?.name === 'TimeoutError') return `${url} did not answer within ${HTTP_TIMEOUT_MS / 1000} s; check the network and the URL`;
  const code = e.cause?.code;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `cannot reach ${url}: the host name does not resolve (${code}); check the URL and the network`;
  if (code) return `cannot reach ${url} (${code}); check the URL and the network`;
  if (e.message === 'Invalid URL' || /invalid url/i.test(e.cause?.message ?? '')) return `${url} is not a valid URL`;
  return `cannot reach ${url}: ${e.cause?.message ?? e.message ?? String(err)}`;
}

/** The server's own words: `message` or `error` of a JSON body, else the first line of the text. */
export function serverMessage(answer: HttpAnswer): string | undefined {
  const body = answer.json as { message?: unknown; error?: unknown } | undefined;
  const fromJson = body && typeof body === 'object' ? (typeof body.message === 'string' ? body.message : typeof body.error === 'string' ? body.error : undefined) : undefined;
  const text = (fromJson ?? answer.text.split('\n')[0] ?? '').trim();
  if (!text) return undefined;
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/** Replaces every occurrence of each secret in `text` with its mask: for text that came from a server. */
export function redact(text: string, secrets: (string | undefined)[]): string {
  return redactKnown(
    text,
    secrets.filter((s): s is string => s !== undefined),
  );
}
