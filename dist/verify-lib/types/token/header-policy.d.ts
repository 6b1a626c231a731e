import { type Refusal } from './refusal.js';
import { type JsonObject } from './strict-json.js';
/** What License Manager signs with (KMS RSASSA_PSS_SHA_384); nothing else is ever accepted. */
export declare const ALGORITHM = "PS384";
/** Refuses a protected header that asks for anything beyond a plain PS384 signature. */
export declare function checkProtectedHeader(header: JsonObject): Refusal | undefined;
