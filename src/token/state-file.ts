import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { formatIsoTime, parseIsoTime } from './iso-time.js';
import { refuse, type Refusal } from './refusal.js';

// Synchronous fs on purpose: node:fs/promises loads readline and REPL history (nine built-ins),
// a visible share of a step that lasts about a tenth of a second.

/**
 * The state file remembers the newest time a verification on this machine has seen, so that a
 * clock set back (to revive an expired token on a self-hosted runner) is noticed.
 * Format: `{"newestSeen":"2025-01-01T00:00:00Z"}`. A missing or empty file means nothing seen yet.
 */
export async function readNewestSeen(path: string): Promise<Date | undefined | Refusal> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return refuse('state-file-error', `the state file ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (text.trim() === '') return undefined;
  try {
    const seen: unknown = (JSON.parse(text) as { newestSeen?: unknown }).newestSeen;
    const date = typeof seen === 'string' ? parseIsoTime(seen) : undefined;
    if (date) return date;
  } catch {
    // reported below, like any other unreadable content
  }
  // Failing closed: deleting the file is the only way to forget, and that is an explicit act.
  return refuse('state-file-error', `the state file ${path} is not {"newestSeen": "<ISO 8601 time>"}; delete it to start afresh`);
}

/**
 * Records the newest time seen, atomically (a reader sees the old or the new file, never half of
 * one) and readable by the owner only.
 */
export async function recordNewestSeen(path: string, time: Date): Promise<Refusal | undefined> {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(temporary, `${JSON.stringify({ newestSeen: formatIsoTime(time) })}\n`, { mode: 0o600, flag: 'wx' });
    renameSync(temporary, path);
    return undefined;
  } catch (error) {
    try {
      rmSync(temporary, { force: true });
    } catch {
      // the refusal below says what failed; a leftover temporary file is harmless
    }
    return refuse('state-file-error', `the state file ${path} cannot be written (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}
