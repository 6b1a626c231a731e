import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, lstatSync, mkdirSync, openSync, renameSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { formatIsoTime, parseIsoTime } from './iso-time.js';
import { isRefusal, refuse, type Refusal } from './refusal.js';
import { readSmallFile } from './small-file.js';

// Synchronous fs on purpose: node:fs/promises loads readline and REPL history (nine built-ins),
// a visible share of a step that lasts about a tenth of a second.

/** The content is one short line; anything longer is not a state file. */
const MAX_STATE_BYTES = 4096;
/** A check holds the lock for one read and one rename; a lock this old was left by a check that died. */
const STALE_LOCK_MS = 10_000;
/** Longer than STALE_LOCK_MS, so a waiting check outlasts a lock left behind and breaks it. */
const LOCK_WAIT_MS = 15_000;
const LOCK_POLL_MS = 20;

/**
 * The state file remembers the newest time a verification on this machine has seen, so that a
 * clock set back (to revive an expired token on a self-hosted runner) is noticed.
 * Format: `{"newestSeen":"2025-01-01T00:00:00Z"}`. A missing or empty file means nothing seen yet.
 * It must be a regular file (a link is not followed, a FIFO not waited on, a device not read).
 */
export async function readNewestSeen(path: string): Promise<Date | undefined | Refusal> {
  return readState(path);
}

function readState(path: string): Date | undefined | Refusal {
  const file = readSmallFile(path, MAX_STATE_BYTES, { followLinks: false });
  switch (file.kind) {
    case 'missing':
      return undefined;
    case 'not-regular':
      return refuse('state-file-error', `the state file ${path} is ${file.what}; it must be a regular file or missing`);
    case 'error':
      return refuse('state-file-error', `the state file ${path} cannot be read (${file.code})`);
    case 'too-large':
      return unreadable(path);
  }
  const text = file.bytes.toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    const seen: unknown = (JSON.parse(text) as { newestSeen?: unknown }).newestSeen;
    const date = typeof seen === 'string' ? parseIsoTime(seen) : undefined;
    if (date) return date;
  } catch {
    // reported below, like any other unreadable content
  }
  return unreadable(path);
}

function unreadable(path: string): Refusal {
  // Failing closed: deleting the file is the only way to forget, and that is an explicit act.
  return refuse('state-file-error', `the state file ${path} is not {"newestSeen": "<ISO 8601 time>"}; delete it to start afresh`);
}

/**
 * Records `time` unless the file already holds a later one: under a lock, the file is read again
 * and the maximum written, so concurrent checks never move it backwards. The file is replaced
 * atomically (a reader sees the old or the new file, never half of one) and is readable by the
 * owner only. A directory, device, FIFO or link in its place is refused, never replaced.
 */
export async function recordNewestSeen(path: string, time: Date): Promise<Refusal | undefined> {
  try {
    mkdirSync(dirname(path), { recursive: true });
  } catch (error) {
    return unwritable(path, error);
  }
  const lock = await acquireLock(path);
  if (isRefusal(lock)) return lock;
  try {
    const recorded = readState(path);
    if (isRefusal(recorded)) return recorded;
    if (recorded && recorded.getTime() >= time.getTime()) return undefined;
    return replace(path, time);
  } finally {
    rmSync(lock, { force: true });
  }
}

function replace(path: string, time: Date): Refusal | undefined {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    // 'wx' is O_CREAT|O_EXCL: a link planted at the temporary name is never followed.
    const fd = openSync(temporary, 'wx', 0o600);
    try {
      writeSync(fd, `${JSON.stringify({ newestSeen: formatIsoTime(time) })}\n`);
      // On disk before the rename: after a crash, an empty file would mean "nothing seen".
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
    return undefined;
  } catch (error) {
    try {
      rmSync(temporary, { force: true });
    } catch {
      // the refusal below says what failed; a leftover temporary file is harmless
    }
    return unwritable(path, error);
  }
}

function unwritable(path: string, error: unknown): Refusal {
  return refuse('state-file-error', `the state file ${path} cannot be written (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
}

/** `<state file>.lock`, created exclusively; waits while another check holds it. */
async function acquireLock(path: string): Promise<string | Refusal> {
  const lock = `${path}.lock`;
  const until = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      closeSync(openSync(lock, 'wx', 0o600));
      return lock;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') return refuse('state-file-error', `the state file's lock ${lock} cannot be created (${code ?? 'error'})`);
    }
    breakIfStale(lock);
    if (Date.now() > until) {
      return refuse('state-file-error', `the state file ${path} stayed locked (${lock}) for ${LOCK_WAIT_MS / 1000} s; delete the lock if no verification is running`);
    }
    await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
  }
}

/**
 * Removes a lock older than STALE_LOCK_MS. Only the very file judged stale is removed (same
 * inode), so a lock another check took in the meantime is left alone, short of a race within the
 * few microseconds between the two calls.
 */
function breakIfStale(lock: string): void {
  try {
    const stats = lstatSync(lock);
    if (Date.now() - stats.mtimeMs < STALE_LOCK_MS) return;
    if (lstatSync(lock).ino === stats.ino) unlinkSync(lock);
  } catch {
    // gone already, or not ours to remove: the next attempt to create it says which
  }
}
