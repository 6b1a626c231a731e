/** Compact JWS assembly and parsing; the signature itself comes from a caller-supplied signer. */
const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

export function encodeJws(header: Record<string, unknown>, payload: Record<string, unknown>, sign: (signingInput: Buffer) => Buffer): string {
  const signingInput = `${b64url(header)}.${b64url(payload)}`;
  return `${signingInput}.${sign(Buffer.from(signingInput)).toString('base64url')}`;
}

export interface DecodedJws {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  signingInput: Buffer;
  signature: Buffer;
}

export function decodeJws(token: string): DecodedJws | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [h, p, s] = parts as [string, string, string];
  try {
    const header: unknown = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'));
    const payload: unknown = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
    if (!isRecord(header) || !isRecord(payload)) return undefined;
    return { header, payload, signingInput: Buffer.from(`${h}.${p}`), signature: Buffer.from(s, 'base64url') };
  } catch {
    return undefined;
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
