import { readSmallFile } from './small-file.js';

/** An ASN.1 SEQUENCE, as every DER key starts. */
const DER_SEQUENCE = 0x30;
/** Far above any public key file (a 16384-bit key is under 3 KiB as PEM). */
export const MAX_KEY_FILE_BYTES = 64 * 1024;
const KEY_TEXT_START = /^(?:-----BEGIN |\{)/;
const NOT_BASE64 = /[^A-Za-z0-9+/=\s]/;

/**
 * The key in the file `public-key-file` names: raw DER as bytes, anything else (PEM, JWK, base64
 * DER) as text, for importPublicKey to judge. Only a regular file of at most 64 KiB is read.
 * Key text is never looked up as a path: a base64 key is usually also a valid relative path, and a
 * file planted there (a checked-out pull request, an extracted artifact) would replace the pinned key.
 */
export function readKeyFile(path: string): { key: string | Uint8Array } | { problem: string } {
  const file = readSmallFile(path, MAX_KEY_FILE_BYTES);
  switch (file.kind) {
    case 'read':
      return { key: file.bytes[0] === DER_SEQUENCE ? file.bytes : file.bytes.toString('utf8') };
    case 'missing':
      return { problem: `cannot read ${path} (ENOENT)` };
    case 'error':
      return { problem: `cannot read ${path} (${file.code})` };
    case 'not-regular':
      return { problem: `${path} is ${file.what}, not a regular file` };
    case 'too-large':
      return { problem: `${path} is ${file.size} bytes; at most ${MAX_KEY_FILE_BYTES} are accepted` };
  }
}

/** Whether text could be a key as `public-key` takes it (PEM, JWK or base64 DER), as opposed to, say, a path. */
export function looksLikeKeyText(text: string): boolean {
  return KEY_TEXT_START.test(text) || !NOT_BASE64.test(text);
}
