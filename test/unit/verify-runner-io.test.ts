import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, test } from 'node:test';
import { runnerIO } from '../../src/runner-io.js';
import { parseFileCommand } from '../support/run-action.js';

describe('runnerIO (the runner protocol without @actions/core)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lg-io-'));
  const files = { GITHUB_OUTPUT: join(dir, 'output'), GITHUB_STEP_SUMMARY: join(dir, 'summary') };
  for (const f of Object.values(files)) writeFileSync(f, '');
  const written: string[] = [];
  const io = runnerIO({ ...files, 'INPUT_PUBLIC-KEY': '  pem  ', INPUT_TOKEN: 't' }, (text) => void written.push(text));
  afterEach(() => {
    process.exitCode = undefined;
  });

  test('inputs keep hyphens and are trimmed, as @actions/core reads them', () => {
    assert.equal(io.getInput('public-key'), 'pem');
    assert.equal(io.getInput('token'), 't');
    assert.equal(io.getInput('absent'), '');
  });
  test('outputs are heredoc file commands, multi-line safe', () => {
    io.setOutput('entitlements', '[1,\n2]');
    io.setOutput('valid', 'true');
    assert.deepEqual(parseFileCommand(files.GITHUB_OUTPUT), { entitlements: '[1,\n2]', valid: 'true' });
  });
  test('commands escape their data, so a reason cannot start a second command', () => {
    written.length = 0;
    io.setSecret('s%e\ncret');
    io.warning('careful\n::add-mask::x');
    io.setFailed('bad');
    assert.deepEqual(written, ['::add-mask::s%25e%0Acret\n', '::warning::careful%0A::add-mask::x\n', '::error::bad\n']);
    assert.equal(process.exitCode, 1);
  });
  test('the summary is appended', async () => {
    await io.appendSummary('# one');
    await io.appendSummary('# two');
    assert.equal(readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8'), '# one\n# two\n');
  });
});
