/**
 * AWS Signature Version 4 verification (Authorization header form), recomputing the
 * canonical request exactly as the SDKs build it: double-encoded path for non-S3
 * services, sorted RFC 3986 query, trimmed signed headers, payload hash.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { amzDate } from './clock.js';
import type { CredentialStore, StoredCredential } from './credentials.js';

export type AuthFailureKind = 'missing' | 'incomplete' | 'unknown-key' | 'bad-signature' | 'skew' | 'expired-token';

export class AuthFailure extends Error {
  constructor(readonly kind: AuthFailureKind, message: string) {
    super(message);
  }
}

export interface IncomingSignedRequest {
  method: string;
  /** Raw request target, e.g. `/?a=b`. */
  url: string;
  /** node's `rawHeaders`: name, value, name, value... */
  rawHeaders: readonly string[];
  body: Buffer;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';
const MAX_SKEW_MS = 15 * 60_000;
const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

const sha256Hex = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data).digest();

/** RFC 3986 encoding as SigV4 specifies it (encodeURIComponent leaves !'()* alone). */
const uriEncode = (s: string): string => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

function canonicalQuery(query: string): string {
  if (!query) return '';
  return query
    .split('&')
    .filter((p) => p.length > 0)
    .map((p) => {
      const eq = p.indexOf('=');
      const key = eq < 0 ? p : p.slice(0, eq);
      const value = eq < 0 ? '' : p.slice(eq + 1);
      return [uriEncode(safeDecode(key)), uriEncode(safeDecode(value))] as const;
    })
    .sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

function headerValues(rawHeaders: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] as string).toLowerCase();
    const value = (rawHeaders[i + 1] as string).trim().replace(/\s+/g, ' ');
    out.set(name, [...(out.get(name) ?? []), value]);
  }
  return out;
}

interface ParsedAuthorization {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

function parseAuthorization(header: string): ParsedAuthorization {
  if (!header.startsWith(`${ALGORITHM} `)) {
    throw new AuthFailure('incomplete', `Unsupported AWS 'algorithm': '${header.split(' ')[0] ?? ''}'`);
  }
  const fields = new Map<string, string>();
  for (const part of header.slice(ALGORITHM.length + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const credential = fields.get('Credential');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  const missing = [!credential && 'Credential', !signedHeaders && 'SignedHeaders', !signature && 'Signature'].filter(Boolean);
  if (missing.length > 0 || !credential || !signedHeaders || !signature) {
    throw new AuthFailure('incomplete', `Authorization header requires ${missing.map((m) => `'${String(m)}'`).join(', ')} parameter(s). Authorization=${ALGORITHM}`);
  }
  const scope = credential.split('/');
  if (scope.length !== 5 || scope[4] !== 'aws4_request') {
    throw new AuthFailure('incomplete', `Credential should have 5 slash-separated parts ending in aws4_request.`);
  }
  const [accessKeyId, date, region, service] = scope as [string, string, string, string];
  return { accessKeyId, date, region, service, signedHeaders: signedHeaders.split(';'), signature };
}

function parseAmzDate(value: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (m) return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? undefined : parsed;
}

function checkSkew(requestTime: number, now: number): void {
  const req = amzDate(requestTime);
  if (requestTime < now - MAX_SKEW_MS) {
    throw new AuthFailure('skew', `Signature expired: ${req} is now earlier than ${amzDate(now - MAX_SKEW_MS)} (${amzDate(now)} - 15 min.)`);
  }
  if (requestTime > now + MAX_SKEW_MS) {
    throw new AuthFailure('skew', `Signature not yet current: ${req} is still later than ${amzDate(now + MAX_SKEW_MS)} (${amzDate(now)} + 15 min.)`);
  }
}

function checkCredential(stored: StoredCredential | undefined, headers: Map<string, string[]>, now: number): StoredCredential {
  if (!stored) throw new AuthFailure('unknown-key', 'The security token included in the request is invalid.');
  if (stored.sessionToken !== undefined) {
    const presented = headers.get('x-amz-security-token')?.[0];
    if (presented !== stored.sessionToken) throw new AuthFailure('unknown-key', 'The security token included in the request is invalid.');
    if (stored.expiresAt !== undefined && now >= stored.expiresAt) {
      throw new AuthFailure('expired-token', 'The security token included in the request is expired');
    }
  }
  return stored;
}

function scopeMismatch(auth: ParsedAuthorization, service: string, region: string, requestDate: string): string | undefined {
  if (auth.service !== service) return `Credential should be scoped to correct service: '${service}'.`;
  if (auth.region !== region) return `Credential should be scoped to a valid region, not '${auth.region}'.`;
  if (auth.date !== requestDate.slice(0, 8)) {
    return `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${auth.date}' != '${requestDate.slice(0, 8)}', from '${requestDate}'.`;
  }
  return undefined;
}

/**
 * Returns the matching credential, or throws AuthFailure. `undefined` means the request
 * carried no Authorization header at all (the caller decides whether that is allowed).
 */
export function verifySigV4(
  req: IncomingSignedRequest,
  expected: { service: string; region: string },
  store: CredentialStore,
  /** License time: when session credentials expire. */
  now: number,
  /** Wall-clock time, which signatures are dated in (the same unless license time is scaled). */
  signedNow: number = now,
): StoredCredential | undefined {
  const headers = headerValues(req.rawHeaders);
  const authorization = headers.get('authorization')?.[0];
  if (authorization === undefined) return undefined;
  const auth = parseAuthorization(authorization);
  const dateHeader = headers.get('x-amz-date')?.[0] ?? headers.get('date')?.[0];
  const requestTime = dateHeader === undefined ? undefined : parseAmzDate(dateHeader);
  if (dateHeader === undefined || requestTime === undefined) {
    throw new AuthFailure('incomplete', `Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=${ALGORITHM}`);
  }
  const stored = checkCredential(store.lookup(auth.accessKeyId), headers, now);
  const mismatch = scopeMismatch(auth, expected.service, expected.region, amzDate(requestTime));
  if (mismatch) throw new AuthFailure('bad-signature', mismatch);
  checkSkew(requestTime, signedNow);

  const bodyHash = sha256Hex(req.body);
  const declaredHash = headers.get('x-amz-content-sha256')?.[0];
  if (declaredHash !== undefined && declaredHash !== 'UNSIGNED-PAYLOAD' && declaredHash !== bodyHash) {
    throw new AuthFailure('bad-signature', "The provided 'x-amz-content-sha256' header does not match what was computed.");
  }
  const q = req.url.indexOf('?');
  const rawPath = q < 0 ? req.url : req.url.slice(0, q);
  const canonicalUri = rawPath.split('/').map(uriEncode).join('/') || '/';
  const canonicalHeaders = auth.signedHeaders.map((h) => `${h}:${(headers.get(h) ?? []).join(',')}\n`).join('');
  const canonicalRequest = [
    req.method,
    canonicalUri,
    canonicalQuery(q < 0 ? '' : req.url.slice(q + 1)),
    canonicalHeaders,
    auth.signedHeaders.join(';'),
    declaredHash ?? bodyHash,
  ].join('\n');
  const scope = `${auth.date}/${auth.region}/${auth.service}/aws4_request`;
  const stringToSign = [ALGORITHM, amzDate(requestTime), scope, sha256Hex(canonicalRequest)].join('\n');
  const signingKey = ['aws4_request', auth.service, auth.region, auth.date].reduceRight<Buffer | string>(
    (key, part) => hmac(key, part),
    `AWS4${stored.secretAccessKey}`,
  );
  const expectedSignature = hmac(signingKey, stringToSign);
  const given = Buffer.from(auth.signature, 'hex');
  if (given.length !== expectedSignature.length || !timingSafeEqual(given, expectedSignature)) {
    throw new AuthFailure('bad-signature', SIGNATURE_MISMATCH);
  }
  return stored;
}
