import { randomBytes, randomUUID } from 'node:crypto';

export const randomHex = (bytes: number): string => randomBytes(bytes).toString('hex');

export const requestId = (): string => randomUUID();

const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** AWS-looking identifiers: `ASIA` + 16 chars for session keys, `AROA` + 17 for role ids. */
export function awsStyleId(prefix: string, length: number): string {
  const bytes = randomBytes(length);
  let out = prefix;
  for (const b of bytes) out += UPPER_ALNUM[b % UPPER_ALNUM.length];
  return out;
}

export const randomSecret = (bytes: number): string => randomBytes(bytes).toString('base64');
