import { type Refusal } from './refusal.js';
import { type JsonObject } from './strict-json.js';
/** Far above any License Manager token (a few KiB), far below what could hurt to parse. */
export declare const MAX_TOKEN_CHARS: number;
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
export declare function parseCompactJws(token: unknown): CompactJws | Refusal;
