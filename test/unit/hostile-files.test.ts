// Hostile paths given to the verify step (issue 14, items 1, 2 and 8): a FIFO, a device, a
// directory, a link or a huge file where a token, key or state file is expected. Each case runs
// the step in a child process with a time limit, because a FIFO blocks a reader inside open(2),
// where no timer of the test process could end it.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readlinkSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { publicPem, signToken } from './token-fixtures.js';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
/** Resolved here: the child runs in the test folder, where no node_modules is. */
const TSX = import.meta.resolve('tsx');
const dir = mkdtempSync(join(tmpdir(), 'lg-hostile-files-'));
const pem = publicPem();
const token = signToken();
const isRoot = process.getuid?.() === 0;

interface StepRun {
  failed: string[];
  outputs: Record<string, string>;
  /** Lengths of the values the step masked. */
  masked: number[];
  ms: number;
  rssGrowthMb: number;
}

/** The verify step (src, fake runner IO, the fixtures' clock) in a child process, killed after `limitMs`. */
function runStep(inputs: Record<string, string>, limitMs = 10_000): StepRun {
  const script = `
    const { verifyAction } = await import(${JSON.stringify(join(ROOT, 'src/verify-action.ts'))});
    const inputs = JSON.parse(process.argv[1]);
    const out = { failed: [], outputs: {}, masked: [] };
    const io = {
      getInput: (n) => inputs[n] ?? '',
      setOutput: (n, v) => { out.outputs[n] = v; },
      setSecret: (v) => out.masked.push(v.length),
      info() {}, warning() {},
      setFailed: (l) => out.failed.push(l),
      appendSummary: async () => {},
    };
    const rss = process.memoryUsage().rss;
    const started = performance.now();
    await verifyAction(io, { now: () => new Date('2026-03-01T12:00:00Z') });
    out.ms = performance.now() - started;
    out.rssGrowthMb = (process.resourceUsage().maxRSS * 1024 - rss) / 2 ** 20;
    process.stdout.write(JSON.stringify(out));
  `;
  const child = spawnSync(process.execPath, ['--import', TSX, '--input-type=module', '-e', script, JSON.stringify(inputs)], {
    cwd: dir,
    encoding: 'utf8',
    timeout: limitMs,
    maxBuffer: 1 << 20,
  });
  assert.equal(child.signal, null, `the step hung (killed after ${limitMs} ms)`);
  assert.equal(child.status, 0, child.stderr);
  return JSON.parse(child.stdout) as StepRun;
}

function fifo(name: string): string {
  const path = join(dir, name);
  execFileSync('mkfifo', [path]);
  return path;
}

/** A character device (as /dev/null) inside the test folder, so nothing outside it can be harmed. */
function device(name: string): string | undefined {
  if (!isRoot) return undefined;
  const path = join(dir, name);
  execFileSync('mknod', [path, 'c', '1', '3']);
  return path;
}

const failure = (run: StepRun) => {
  assert.equal(run.failed.length, 1, JSON.stringify(run));
  return run.failed[0]!;
};

describe('token-file that is not a small regular file (item 8)', () => {
  test('a FIFO is refused at once, naming token-file', () => {
    const run = runStep({ 'token-file': fifo('token.fifo'), 'public-key': pem });
    assert.match(failure(run), /^Input 'token-file': .*token\.fifo is a FIFO, not a regular file/);
    assert.deepEqual(run.masked, []);
  });
  test('/dev/zero and a directory are refused without reading', () => {
    assert.match(failure(runStep({ 'token-file': '/dev/zero', 'public-key': pem })), /^Input 'token-file': \/dev\/zero is a character device, not a regular file/);
    assert.match(failure(runStep({ 'token-file': dir, 'public-key': pem })), /^Input 'token-file': .* is a directory, not a regular file/);
  });
  test('a 100 MB file is refused before it is read or masked, fast and in bounded memory', () => {
    const huge = join(dir, 'huge.jwt');
    writeFileSync(huge, '');
    truncateSync(huge, 100 * 2 ** 20);
    const run = runStep({ 'token-file': huge, 'public-key': pem, 'fail-on-invalid': 'false' });
    assert.equal(run.outputs.valid, 'false', JSON.stringify(run));
    assert.match(run.outputs.reason!, /104857600 bytes.*65536/);
    assert.deepEqual(run.masked, [], 'nothing of the file is echoed into ::add-mask::');
    assert.ok(run.ms < 500, `${run.ms.toFixed(0)} ms`);
    assert.ok(run.rssGrowthMb < 30, `memory grew by ${run.rssGrowthMb.toFixed(0)} MB`);
  });
  test('a token file within the limit is read and masked as before', () => {
    const path = join(dir, 'ok.jwt');
    writeFileSync(path, `${token}\n`);
    const run = runStep({ 'token-file': path, 'public-key': pem });
    assert.equal(run.outputs.valid, 'true', JSON.stringify(run));
    assert.deepEqual(run.masked.slice(0, 1), [token.length]);
  });
});

describe('public-key-file that is not a small regular file (items 1 and 8)', () => {
  test('a FIFO, /dev/zero, a directory and a huge file are refused naming public-key-file', () => {
    const huge = join(dir, 'huge.pem');
    writeFileSync(huge, '');
    truncateSync(huge, 100 * 2 ** 20);
    const cases: [string, RegExp][] = [
      [fifo('key.fifo'), /is a FIFO, not a regular file/],
      ['/dev/zero', /is a character device, not a regular file/],
      [dir, /is a directory, not a regular file/],
      [huge, /is 104857600 bytes; at most 65536 are accepted/],
    ];
    for (const [path, problem] of cases) {
      const run = runStep({ token, 'public-key-file': path });
      const line = failure(run);
      assert.match(line, /^Input 'public-key-file': /);
      assert.match(line, problem);
      assert.ok(run.ms < 500, `${run.ms.toFixed(0)} ms`);
    }
  });
});

describe('state-file that is not a regular file (item 2)', () => {
  const check = (stateFile: string) => runStep({ token, 'public-key': pem, 'state-file': stateFile, 'fail-on-invalid': 'false' });

  test('a FIFO is refused (state-file-error), not waited on', () => {
    const run = check(fifo('state.fifo'));
    assert.equal(run.outputs.valid, 'false');
    assert.match(run.outputs.reason!, /state\.fifo is a FIFO; it must be a regular file or missing/);
  });
  test('a directory is refused and left alone', () => {
    const stateDir = join(dir, 'state-dir');
    mkdirSync(stateDir);
    const run = check(stateDir);
    assert.equal(run.outputs.valid, 'false');
    assert.match(run.outputs.reason!, /state-dir is a directory; it must be a regular file or missing/);
    assert.ok(statSync(stateDir).isDirectory());
  });
  test('a symbolic link is refused: neither the link nor its target is replaced', () => {
    const target = join(dir, 'elsewhere.json');
    writeFileSync(target, '{"newestSeen":"2026-01-01T00:00:00Z"}\n');
    const link = join(dir, 'state-link.json');
    symlinkSync(target, link);
    const run = check(link);
    assert.equal(run.outputs.valid, 'false');
    assert.match(run.outputs.reason!, /state-link\.json is a symbolic link; it must be a regular file or missing/);
    assert.equal(readlinkSync(link), target);
    assert.equal(readFileSync(target, 'utf8'), '{"newestSeen":"2026-01-01T00:00:00Z"}\n');
  });
  test('a device is refused and not replaced', { skip: isRoot ? false : 'needs root to create a device node in the test folder (mknod)' }, () => {
    const node = device('state.dev')!;
    const run = check(node);
    assert.equal(run.outputs.valid, 'false');
    assert.match(run.outputs.reason!, /state\.dev is a character device; it must be a regular file or missing/);
    assert.ok(statSync(node).isCharacterDevice(), 'the device was replaced by a file');
  });
  test('a regular file works as before', () => {
    const path = join(dir, 'state-ok.json');
    const run = check(path);
    assert.equal(run.outputs.valid, 'true', JSON.stringify(run));
    assert.deepEqual(JSON.parse(readFileSync(path, 'utf8')), { newestSeen: '2026-03-01T12:00:00Z' });
  });
});
