import { closeSync, constants, fstatSync, lstatSync, mkdirSync, mkdtempSync, openSync, readFileSync, realpathSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/*
 * Where the action keeps secrets on disk (the seal key, the keepalive's status file, a borrowed
 * token) and how: in directories no other local user can rename or create entries in, written only
 * as new files (exclusively, never through a link or into a file someone planted or holds open),
 * and read only from files of this user that nobody else may read. Owners and modes are POSIX's;
 * on Windows (ACLs, no owner ids) only the exclusive creation and the renames apply.
 */

const POSIX = typeof process.geteuid === 'function';
const NOFOLLOW = constants.O_NOFOLLOW ?? 0;
const NONBLOCK = constants.O_NONBLOCK ?? 0;

/** A path the action refuses to keep or read secrets at; the message names it and the fix. */
export class UnsafePath extends Error {
  override readonly name = 'UnsafePath';
}

const me = (): number => process.geteuid!();
const octal = (mode: number) => `0${(mode & 0o7777).toString(8)}`;

/**
 * Checks that no other local user can rename or create entries in `dir`: it and every directory
 * above it belong to this user or root and are writable by no one else unless sticky (as /tmp is:
 * there only an entry's owner may rename it). A job running as root also trusts the owner of `dir`
 * itself: a container job's RUNNER_TEMP belongs to the runner's user on the host. Returns the real
 * path, for callers to use from then on: a link on the way could be swapped later.
 */
export function safeDirectory(dir: string, what: string): string {
  const real = realpathSync(dir);
  if (!POSIX) return real;
  const trusted = new Set([0, me()]);
  if (me() === 0) trusted.add(statSync(real).uid);
  for (let d = real; ; d = dirname(d)) {
    const s = statSync(d);
    const where = d === real ? `${what} ${real}` : `${d} (above ${what} ${real})`;
    if (!trusted.has(s.uid)) {
      throw new UnsafePath(`${where} belongs to uid ${s.uid}, who could swap the files this action keeps there; use a ${what} owned by the runner's user (uid ${me()}) or root.`);
    }
    if ((s.mode & 0o022) !== 0 && (s.mode & 0o1000) === 0) {
      throw new UnsafePath(`${where} can be written by other users (mode ${octal(s.mode)}) and has no sticky bit, so they could rename or replace the files this action keeps there: chmod go-w ${d} (or chmod +t ${d}).`);
    }
    if (dirname(d) === d) return real;
  }
}

/** A new directory (mode 0700) under a safe `parent`, created if missing; its path. */
export function makePrivateDirectory(parent: string, prefix: string, what: string): string {
  mkdirSync(parent, { recursive: true, mode: 0o700 });
  const dir = mkdtempSync(join(safeDirectory(parent, what), prefix));
  checkPrivateDirectory(dir);
  return dir;
}

/** `dir` is a directory (not a link to one) of this user that no one else may enter: checked before each use, so a folder swapped for another is refused, never believed. */
export function checkPrivateDirectory(dir: string): void {
  const s = lstatSync(dir);
  if (!s.isDirectory()) throw new UnsafePath(`${dir} is not a directory of this job's own (a link?); it was replaced: run the job again.`);
  if (POSIX && s.uid !== me()) throw new UnsafePath(`${dir} belongs to uid ${s.uid}, not to this job's user (uid ${me()}); it was replaced: run the job again.`);
  if (POSIX && (s.mode & 0o077) !== 0) throw new UnsafePath(`${dir} may be entered by other users (mode ${octal(s.mode)}), not 0700 as this action made it: run the job again.`);
}

/** Creates `path` holding `data`, exclusively and without following a link: whatever is planted there (a file, a link) is refused, never written through. */
export function createExclusive(path: string, data: string | Buffer, mode = 0o600): void {
  const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | NOFOLLOW, mode);
  try {
    writeFileSync(fd, data);
  } catch (error) {
    closeSync(fd);
    unlinkSync(path);
    throw error;
  }
  closeSync(fd);
}

/**
 * Replaces `path` with a new file holding `data`: written under a fresh name, then renamed into
 * place, so a reader (or a SIGKILL mid-write) never sees half a file, and an existing file (one a
 * reader holds open) or a link at `path` is replaced, never written through.
 */
export function replaceFile(path: string, data: string | Buffer): void {
  // Exclusive creation makes a guessed name harmless (a planted entry fails the write), so no
  // crypto here: the sleeping keepalive writes through this too and loads as little as it can.
  const tmp = `${path}.${process.pid}-${Math.random().toString(36).slice(2, 10)}.tmp`;
  createExclusive(tmp, data);
  try {
    renameSync(tmp, path);
  } catch (error) {
    unlinkSync(tmp);
    throw error;
  }
}

/**
 * The content of `path`, a regular file of this user that no one else may read or write, of at
 * most `maxBytes`: opened without following a link (nor waiting on a FIFO), and checked on the open
 * file, so what is checked is what is read.
 */
export function readPrivateFile(path: string, maxBytes: number, what: string): Buffer {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | NOFOLLOW | NONBLOCK);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') throw new UnsafePath(`${what} ${path} is a symbolic link, not a file of this job's own; remove it.`);
    throw error;
  }
  try {
    const s = fstatSync(fd);
    if (!s.isFile()) throw new UnsafePath(`${what} ${path} is not a regular file; remove it.`);
    if (POSIX && s.uid !== me()) throw new UnsafePath(`${what} ${path} belongs to uid ${s.uid}, not to this job's user (uid ${me()}), so it may have been planted; remove it.`);
    if (POSIX && (s.mode & 0o077) !== 0) throw new UnsafePath(`${what} ${path} may be read or written by other users (mode ${octal(s.mode)}, not 0600); remove it.`);
    if (s.size > maxBytes) throw new UnsafePath(`${what} ${path} is too large (${s.size} bytes, at most ${maxBytes}); remove it.`);
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Refuses a `path` that exists and is not a regular file of this user (a link, a directory, a device, another user's file): the target of a rename that must land in nothing but our own. */
export function checkOwnTarget(path: string): string | undefined {
  let s;
  try {
    s = lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  if (s.isSymbolicLink()) return `${path} is a symbolic link`;
  if (!s.isFile()) return `${path} is not a regular file`;
  if (POSIX && s.uid !== me()) return `${path} belongs to uid ${s.uid}, not to this job's user (uid ${me()})`;
  return undefined;
}
