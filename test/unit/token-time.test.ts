import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { formatIsoTime, parseIsoTime } from '../../src/token/iso-time.js';
import type { LicenseClaims } from '../../src/token/license-claims.js';
import { readNewestSeen, recordNewestSeen } from '../../src/token/state-file.js';
import { checkValidity } from '../../src/token/validity.js';

describe('parseIsoTime', () => {
  test('zone-less is UTC; zones and fractions are honoured', () => {
    assert.equal(parseIsoTime('2021-04-13T05:35:47')?.toISOString(), '2021-04-13T05:35:47.000Z');
    assert.equal(parseIsoTime('2021-04-13T05:35:47Z')?.toISOString(), '2021-04-13T05:35:47.000Z');
    assert.equal(parseIsoTime('2021-04-13T05:35:47.123456Z')?.toISOString(), '2021-04-13T05:35:47.123Z');
    assert.equal(parseIsoTime('2021-04-13T07:35:47+02:00')?.toISOString(), '2021-04-13T05:35:47.000Z');
    assert.equal(parseIsoTime('2021-04-13T00:35:47-0500')?.toISOString(), '2021-04-13T05:35:47.000Z');
    assert.equal(parseIsoTime('2024-02-29T00:00:00')?.toISOString(), '2024-02-29T00:00:00.000Z');
  });
  test('refuses what Date would roll over or guess', () => {
    for (const text of ['2021-02-29T00:00:00', '2021-04-31T00:00:00', '2021-13-01T00:00:00', '2021-04-13T24:00:00', '2021-04-13T23:60:00',
      '2021-04-13T23:59:60', '2021-04-13', '2021-04-13 05:35:47', '2021-04-13T05:35', '2021-04-13T05:35:47+25:00', ' 2021-04-13T05:35:47',
      '1618292147', 'Tue, 13 Apr 2021 05:35:47 GMT', '2021-04-13t05:35:47z']) {
      assert.equal(parseIsoTime(text), undefined, text);
    }
  });
  test('formatIsoTime: Z, no zero fraction', () => {
    assert.equal(formatIsoTime(new Date('2026-03-01T12:00:00Z')), '2026-03-01T12:00:00Z');
    assert.equal(formatIsoTime(new Date('2026-03-01T12:00:00.250Z')), '2026-03-01T12:00:00.250Z');
  });
});

describe('checkValidity', () => {
  const t = (iso: string) => new Date(iso);
  const claims = (over: Partial<LicenseClaims> = {}): LicenseClaims => ({
    licenseArn: 'arn', licenseConsumptionToken: 'c', entitlementsAllowed: [],
    issuedAt: t('2026-03-01T10:00:00Z'), expiration: t('2026-03-01T14:00:00Z'), ...over,
  });
  const skewMs = 5 * 60_000;
  const code = (c: LicenseClaims, now: string, newestSeen?: string) =>
    checkValidity(c, { now: t(now), skewMs, ...(newestSeen ? { newestSeen: t(newestSeen) } : {}) })?.code;

  test('inside the window, and within the skew at both ends', () => {
    assert.equal(code(claims(), '2026-03-01T12:00:00Z'), undefined);
    assert.equal(code(claims(), '2026-03-01T09:55:00Z'), undefined);
    assert.equal(code(claims(), '2026-03-01T14:05:00Z'), undefined);
  });
  test('outside the window', () => {
    assert.equal(code(claims(), '2026-03-01T09:54:59Z'), 'issued-in-future');
    assert.equal(code(claims(), '2026-03-01T14:05:01Z'), 'expired');
    assert.equal(code(claims({ expiration: t('2026-03-01T10:00:00Z') }), '2026-03-01T10:00:00Z'), 'expiration-before-issued');
  });
  test('standard claims are honoured when present', () => {
    const at = (iso: string) => Date.parse(iso) / 1000;
    assert.equal(code(claims({ exp: at('2026-03-01T11:00:00Z') }), '2026-03-01T12:00:00Z'), 'expired');
    assert.equal(code(claims({ nbf: at('2026-03-01T13:00:00Z') }), '2026-03-01T12:00:00Z'), 'not-yet-valid');
    assert.equal(code(claims({ iat: at('2026-03-01T13:00:00Z') }), '2026-03-01T12:00:00Z'), 'issued-in-future');
    assert.equal(code(claims({ exp: at('2026-03-01T13:00:00Z'), nbf: at('2026-03-01T11:00:00Z'), iat: at('2026-03-01T10:00:00Z') }), '2026-03-01T12:00:00Z'), undefined);
  });
  test('the watermark: a clock set back beyond the skew is refused', () => {
    assert.equal(code(claims(), '2026-03-01T12:00:00Z', '2026-03-01T12:05:00Z'), undefined);
    assert.equal(code(claims(), '2026-03-01T12:00:00Z', '2026-03-01T12:05:01Z'), 'clock-set-back');
  });
  test('the watermark: a clock set back within the skew cannot revive an expired token', () => {
    assert.equal(code(claims(), '2026-03-01T14:04:00Z'), undefined);
    assert.equal(code(claims(), '2026-03-01T14:04:00Z', '2026-03-01T14:06:00Z'), 'expired');
  });
  test('a token issued before the watermark is still accepted while valid (verified again later)', () => {
    assert.equal(code(claims(), '2026-03-01T13:00:00Z', '2026-03-01T12:00:00Z'), undefined);
  });
});

describe('state file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lg-state-'));
  test('missing or empty: nothing seen yet', async () => {
    assert.equal(await readNewestSeen(join(dir, 'absent.json')), undefined);
    writeFileSync(join(dir, 'empty.json'), '\n');
    assert.equal(await readNewestSeen(join(dir, 'empty.json')), undefined);
  });
  test('round trip, 0600, atomic (no temporary left), parent created', async () => {
    const path = join(dir, 'nested', 'state.json');
    assert.equal(await recordNewestSeen(path, new Date('2026-03-01T12:00:00Z')), undefined);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.deepEqual(JSON.parse(readFileSync(path, 'utf8')), { newestSeen: '2026-03-01T12:00:00Z' });
    assert.equal((await readNewestSeen(path) as Date).toISOString(), '2026-03-01T12:00:00.000Z');
    assert.deepEqual(readdirSync(join(dir, 'nested')), ['state.json']);
  });
  test('corrupt content fails closed', async () => {
    for (const content of ['{', '{"newestSeen":"yesterday"}', '[]', '{"newestSeen":1}']) {
      writeFileSync(join(dir, 'bad.json'), content);
      assert.equal((await readNewestSeen(join(dir, 'bad.json')) as { code: string }).code, 'state-file-error', content);
    }
  });
  test('unwritable and unreadable paths are refusals, not exceptions', async () => {
    writeFileSync(join(dir, 'file'), '');
    assert.equal((await recordNewestSeen(join(dir, 'file', 'state.json'), new Date()))?.code, 'state-file-error');
    assert.equal((await readNewestSeen(dir) as { code: string }).code, 'state-file-error');
  });
});
