import { readFileSync, statSync } from 'node:fs';

/** An ASN.1 SEQUENCE, as every DER key starts. */
const DER_SEQUENCE = 0x30;
const MAX_FILE_BYTES = 64 * 1024;

/**
 * The key an input names: the text itself when it looks like a key (PEM or JWK), otherwise the
 * file at that path when there is one (read as raw DER or as text), otherwise the text (base64
 * DER, or garbage that importPublicKey will explain).
 */
export function readKeyInput(value: string): string | Uint8Array {
  const text = value.trim();
  if (text.startsWith('-----BEGIN ') || text.startsWith('{')) return text;
  let bytes: Buffer;
  try {
    if (!statSync(text).isFile() || statSync(text).size > MAX_FILE_BYTES) return text;
    bytes = readFileSync(text);
  } catch {
    return text;
  }
  return bytes[0] === DER_SEQUENCE ? bytes : bytes.toString('utf8');
}
