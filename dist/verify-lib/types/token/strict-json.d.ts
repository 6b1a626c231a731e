export type JsonObject = Record<string, unknown>;
export type ParsedObject = {
    object: JsonObject;
} | {
    problem: string;
    duplicate?: string;
};
/**
 * Parses UTF-8 bytes that must hold one JSON object. JSON.parse keeps the last of two members
 * with the same name, so a token could show one value to this verifier and another to a
 * different parser; duplicates are refused instead.
 */
export declare function parseJsonObject(bytes: Uint8Array): ParsedObject;
/**
 * The first member name that appears twice in one object of `text`, which must already be valid
 * JSON. Walks the text once with a stack of the names seen per open object (null for arrays).
 */
export declare function findDuplicateMember(text: string): string | undefined;
/** Reads a member only if the object itself has it (never one inherited from Object.prototype). */
export declare function own(object: JsonObject, name: string): unknown;
