export type SmallFile = {
    kind: 'read';
    bytes: Buffer;
} | {
    kind: 'missing';
} | {
    kind: 'not-regular';
    what: string;
} | {
    kind: 'too-large';
    size: number;
} | {
    kind: 'error';
    code: string;
};
/**
 * Reads a file the verifier was given a path to, only if it is a regular file of at most
 * `maxBytes`. Anything else is answered before a byte is read: a FIFO would block open(2) until a
 * writer came, /dev/zero never ends, and a huge file would be read whole. The kind is checked
 * before opening (some devices act on open) and again on the open descriptor, so a swap between the
 * two is caught. With `followLinks: false`, a symbolic link is itself the answer.
 */
export declare function readSmallFile(path: string, maxBytes: number, { followLinks }?: {
    followLinks?: boolean | undefined;
}): SmallFile;
