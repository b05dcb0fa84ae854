/**
 * Checks an AWS Signature Version 4 on a received HTTP request, the way an AWS endpoint does:
 * the signature is recomputed from the request (canonical request, string to sign, the signing
 * key chain) with the known test credentials and compared with the one in `Authorization`.
 *
 * The recomputation is AWS's own implementation, @smithy/signature-v4 (what the AWS SDK for
 * JavaScript signs with), fed only the headers the request lists in `SignedHeaders`, the date of
 * its `X-Amz-Date`, and the body exactly as it arrived (before any gzip decoding: a signature
 * covers the bytes on the wire).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { SourceData } from '@smithy/types';

export interface AwsTestCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** What a request carried and what the check found; `valid` only when every check passed. */
export interface SigV4Result {
  valid: boolean;
  /** Why it is not valid (first failed check). */
  reason?: string;
  accessKeyId?: string;
  /** yyyymmdd of the credential scope. */
  date?: string;
  region?: string;
  service?: string;
  signedHeaders?: string[];
  signature?: string;
}

/** The parts of a received request the signature covers. */
export interface SignedRequest {
  method: string;
  /** Path and query string as received, e.g. `/v1/traces` or `/?a=b`. */
  url: string;
  /** Header names lower-cased (as Node gives them). */
  headers: Record<string, string | string[] | undefined>;
  /** The body as sent (still compressed if it was). */
  body: Uint8Array;
}

export interface VerifyOptions {
  credentials: AwsTestCredentials;
  /** When given, a signature for another service is refused (e.g. `xray`, `logs`). */
  service?: string;
  region?: string;
  /** Largest allowed distance between X-Amz-Date and now; AWS allows 15 minutes. Infinity for fixed test vectors. */
  maxClockSkewMs?: number;
  now?: Date;
}

const AUTH_PATTERN = /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;_.-]+),\s*Signature=([0-9a-f]{64})$/;

/** Parses `AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/service/aws4_request, SignedHeaders=a;b, Signature=hex`. */
export function parseAuthorization(value: string): Omit<SigV4Result, 'valid' | 'reason'> | undefined {
  const match = AUTH_PATTERN.exec(value.trim());
  if (!match) return undefined;
  const [, accessKeyId, date, region, service, signedHeaders, signature] = match;
  return { accessKeyId, date, region, service, signedHeaders: signedHeaders!.split(';'), signature };
}

const bytes = (data: SourceData): string | Uint8Array =>
  typeof data === 'string' ? data : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);

/** A sha256 (or HMAC-sha256 with a key) in the shape @smithy/signature-v4 asks for. */
class NodeSha256 {
  private readonly hash;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
  reset(): void {
    throw new Error('not used by the signer');
  }
}

const single = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value.join(',') : value);

/** `20150830T123600Z` -> Date. */
function parseAmzDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  return m ? new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!)) : undefined;
}

export async function verifySigV4(request: SignedRequest, options: VerifyOptions): Promise<SigV4Result> {
  const header = single(request.headers['authorization']);
  if (!header) return { valid: false, reason: 'no Authorization header' };
  const parsed = parseAuthorization(header);
  if (!parsed) return { valid: false, reason: `Authorization header is not AWS4-HMAC-SHA256 with Credential, SignedHeaders and Signature: ${JSON.stringify(header.slice(0, 60))}` };
  const result: SigV4Result = { valid: false, ...parsed };
  const fail = (reason: string): SigV4Result => ({ ...result, reason });

  if (parsed.accessKeyId !== options.credentials.accessKeyId) return fail(`unknown access key ${parsed.accessKeyId}`);
  if (options.service !== undefined && parsed.service !== options.service) return fail(`signed for service "${parsed.service}", expected "${options.service}"`);
  if (options.region !== undefined && parsed.region !== options.region) return fail(`signed for region "${parsed.region}", expected "${options.region}"`);
  const amzDate = single(request.headers['x-amz-date']);
  const signingDate = amzDate ? parseAmzDate(amzDate) : undefined;
  if (!signingDate) return fail('no valid X-Amz-Date header');
  if (!amzDate!.startsWith(parsed.date!)) return fail(`credential scope date ${parsed.date} is not the day of X-Amz-Date ${amzDate}`);
  const skew = Math.abs((options.now ?? new Date()).getTime() - signingDate.getTime());
  if (skew > (options.maxClockSkewMs ?? 15 * 60_000)) return fail(`X-Amz-Date ${amzDate} is ${Math.round(skew / 1000)} s from now`);
  const signed = parsed.signedHeaders!;
  if (!signed.includes('host')) return fail('SignedHeaders does not include host');
  const missing = signed.filter((name) => request.headers[name] === undefined);
  if (missing.length > 0) return fail(`signed header(s) missing from the request: ${missing.join(', ')}`);
  const bodyHash = createHash('sha256').update(request.body).digest('hex');
  const claimedHash = single(request.headers['x-amz-content-sha256']);
  if (claimedHash !== undefined && claimedHash !== bodyHash && claimedHash !== 'UNSIGNED-PAYLOAD') return fail('X-Amz-Content-Sha256 does not match the body');

  const url = new URL(request.url, 'http://placeholder');
  const query: Record<string, string | string[]> = {};
  for (const [key, value] of url.searchParams) {
    const prior = query[key];
    query[key] = prior === undefined ? value : [...(Array.isArray(prior) ? prior : [prior]), value];
  }
  const headers: Record<string, string> = {};
  for (const name of signed) headers[name] = single(request.headers[name])!;
  const signer = new SignatureV4({
    credentials: options.credentials,
    region: parsed.region!,
    service: parsed.service!,
    sha256: NodeSha256,
    // Hash the body as received; do not add an X-Amz-Content-Sha256 the client did not sign.
    applyChecksum: false,
  });
  const resigned = await signer.sign(
    { method: request.method, protocol: 'http:', hostname: headers.host!.replace(/:\d+$/, ''), path: url.pathname, query, headers, body: request.body },
    { signingDate, signableHeaders: new Set(signed) },
  );
  const expected = parseAuthorization(single(resigned.headers['authorization']) ?? '');
  if (!expected) return fail('could not recompute the signature');
  if (expected.signedHeaders!.join(';') !== signed.join(';')) return fail(`recomputed over headers ${expected.signedHeaders!.join(';')}, request signed ${signed.join(';')}`);
  const same = timingSafeEqual(Buffer.from(expected.signature!, 'hex'), Buffer.from(parsed.signature!, 'hex'));
  if (!same) return fail('signature does not match the one recomputed from the request');
  return { ...result, valid: true };
}
