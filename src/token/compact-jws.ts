import { decodeBase64url } from './base64url.js';
import { refuse, type Refusal } from './refusal.js';
import { parseJsonObject, type JsonObject } from './strict-json.js';

/** Far above any License Manager token (a few KiB), far below what could hurt to parse. */
export const MAX_TOKEN_CHARS = 64 * 1024;
const MAX_HEADER_CHARS = 4 * 1024;
const SEGMENT_NAMES = ['header', 'payload', 'signature'] as const;

export interface CompactJws {
  /** The compact serialization as checked, for the signature verifier. */
  compact: string;
  header: JsonObject;
  payload: Buffer;
  signature: Buffer;
}

/**
 * Splits a JWS compact serialization and decodes its parts strictly. The payload is only decoded
 * to bytes here: nothing in it is read before the signature is checked.
 */
export function parseCompactJws(token: unknown): CompactJws | Refusal {
  if (typeof token !== 'string') return refuse('token-malformed', `the token is a ${typeof token}, not a string`);
  const compact = token.trim();
  if (compact === '') return refuse('token-malformed', 'the token is empty');
  if (compact.length > MAX_TOKEN_CHARS) {
    return refuse('token-too-large', `the token is ${compact.length} characters; at most ${MAX_TOKEN_CHARS} are accepted`);
  }
  const segments = compact.split('.');
  if (segments.length !== 3) {
    const hint = segments.length === 5 ? ' (5 is an encrypted JWE, not a signed token)' : '';
    return refuse('token-malformed', `the token has ${segments.length} segments${hint}; a signed token has 3 (header.payload.signature)`);
  }
  const decoded: Buffer[] = [];
  for (const [i, segment] of segments.entries()) {
    const name = SEGMENT_NAMES[i]!;
    if (segment === '') return refuse(name === 'signature' ? 'signature-invalid' : 'token-malformed', `the ${name} segment is empty`);
    const bytes = decodeBase64url(segment);
    if (!bytes) return refuse('token-not-base64url', `the ${name} segment is not unpadded base64url`);
    decoded.push(bytes);
  }
  const [header, payload, signature] = decoded as [Buffer, Buffer, Buffer];
  if (segments[0]!.length > MAX_HEADER_CHARS) {
    return refuse('header-invalid', `the header is ${segments[0]!.length} characters; at most ${MAX_HEADER_CHARS} are accepted`);
  }
  const parsed = parseJsonObject(header);
  if ('problem' in parsed) {
    return parsed.duplicate === undefined
      ? refuse('header-invalid', `the header ${parsed.problem}`)
      : refuse('duplicate-member', `the header has the member ${JSON.stringify(parsed.duplicate.slice(0, 80))} twice`);
  }
  return { compact, header: parsed.object, payload, signature };
}
