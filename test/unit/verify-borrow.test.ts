// Borrow mode's immediate check (src/borrow-verify.ts) takes its key as the verify sub-action does
// (issue 14, item 1): public-key is key text only, a key file comes through public-key-file.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { verifyBorrowedToken } from '../../src/borrow-verify.js';
import { parseInputs } from '../../src/inputs.js';
import { awsPayload, LICENSE_ARN, publicPem, rsaKeys, signToken } from './token-fixtures.js';

const at = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();
const live = (key = rsaKeys().privateKey) => signToken(awsPayload({ issuedAt: at(-60_000), expiration: at(3_600_000) }), { alg: 'PS384' }, key);
const borrow = (extra: Record<string, string>) =>
  parseInputs((n) => ({ mode: 'borrow', 'license-arn': LICENSE_ARN, entitlements: 'Seats = 1', ...extra })[n] ?? '', { AWS_REGION: 'us-east-1' });
const check = (token: string, extra: Record<string, string>) => verifyBorrowedToken(token, borrow(extra), 'runner-7', () => undefined);

describe('verifyBorrowedToken', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lg-borrow-key-'));

  test('public-key-file: the token verifies with the key in the file, and not with another', async () => {
    const path = join(dir, 'issuer.pem');
    writeFileSync(path, publicPem());
    assert.equal(await check(live(), { 'public-key-file': path }), undefined);
    assert.match((await check(live(rsaKeys('other').privateKey), { 'public-key-file': path }))!, /\(signature-invalid\)$/);
  });

  test('a file planted at the path the base64 key spells is not read', async () => {
    let pinned = '';
    for (let i = 0; !pinned; i++) {
      const b64 = rsaKeys(`pinned-${i}`).publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
      if (b64.split('/').every((name) => name.length > 0 && name.length <= 255)) pinned = b64;
    }
    const attacker = rsaKeys('attacker');
    const workspace = mkdtempSync(join(dir, 'workspace-'));
    mkdirSync(join(workspace, dirname(pinned)), { recursive: true });
    writeFileSync(join(workspace, pinned), publicPem(attacker));
    const cwd = process.cwd();
    process.chdir(workspace);
    try {
      assert.match((await check(live(attacker.privateKey), { 'public-key': pinned }))!, /\(signature-invalid\)$/);
    } finally {
      process.chdir(cwd);
    }
  });
});
