import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';

export type SmallFile =
  | { kind: 'read'; bytes: Buffer }
  | { kind: 'missing' }
  | { kind: 'not-regular'; what: string }
  | { kind: 'too-large'; size: number }
  | { kind: 'error'; code: string };

/**
 * Reads a file the verifier was given a path to, only if it is a regular file of at most
 * `maxBytes`. Anything else is answered before a byte is read: a FIFO would block open(2) until a
 * writer came, /dev/zero never ends, and a huge file would be read whole. The kind is checked
 * before opening (some devices act on open) and again on the open descriptor, so a swap between the
 * two is caught. With `followLinks: false`, a symbolic link is itself the answer.
 */
export function readSmallFile(path: string, maxBytes: number, { followLinks = true } = {}): SmallFile {
  let before: Stats;
  try {
    before = followLinks ? statSync(path) : lstatSync(path);
  } catch (error) {
    return failure(error);
  }
  if (!before.isFile()) return { kind: 'not-regular', what: describe(before) };
  if (before.size > maxBytes) return { kind: 'too-large', size: before.size };
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY | (followLinks ? 0 : constants.O_NOFOLLOW));
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ELOOP' && !followLinks ? { kind: 'not-regular', what: 'a symbolic link' } : failure(error);
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) return { kind: 'not-regular', what: describe(stats) };
    if (stats.dev !== before.dev || stats.ino !== before.ino) return { kind: 'error', code: 'changed while it was opened' };
    // One byte more than allowed: a file that grew after fstat is caught rather than read on.
    const buffer = Buffer.alloc(maxBytes + 1);
    let length = 0;
    while (length < buffer.length) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
    }
    if (length > maxBytes) return { kind: 'too-large', size: length };
    return { kind: 'read', bytes: buffer.subarray(0, length) };
  } catch (error) {
    return failure(error);
  } finally {
    closeSync(fd);
  }
}

function failure(error: unknown): SmallFile {
  const code = (error as NodeJS.ErrnoException).code ?? 'error';
  return code === 'ENOENT' ? { kind: 'missing' } : { kind: 'error', code };
}

function describe(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isSymbolicLink()) return 'a symbolic link';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}
