/**
 * Decodes base64url as RFC 7515 requires it: no padding, no whitespace, no `+` or `/`, and in
 * canonical form. Buffer's own decoder skips what it does not understand and ignores stray
 * trailing bits, so two different texts could decode to the same bytes; the round trip refuses
 * every text but the one encoding of those bytes.
 */
export declare function decodeBase64url(text: string): Buffer | undefined;
export declare function encodeBase64url(bytes: Uint8Array | string): string;
