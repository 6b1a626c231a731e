import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import fc from 'fast-check';
import { sealOf } from '../../src/state-seal.js';
import { parseEntitlements } from '../../src/entitlements.js';
import { sleep } from '../../src/sleep.js';
import { loadConsumption, markDone, saveConsumption, type SavedConsumption } from '../../src/state.js';
import { checkoutSummary } from '../../src/summary.js';
import { FakeIO } from './fakes.js';

const saved: SavedConsumption = {
  v: 1,
  mode: 'checkout',
  licenseArn: 'arn:aws:license-manager::111122223333:license:l-1',
  consumptionToken: '0cd7b2bc7c674573a669bea8f5b75f2d',
  checkoutType: 'PROVISIONAL',
  checkIn: true,
  region: 'us-east-1',
  nodeId: 'octo-org/widget/runs/1/attempts/1/build',
  expiration: '2025-03-01T13:00:00Z',
};

/** The post step's view of what the main step saved. */
const postView = (main: FakeIO) => new FakeIO({}, {}, { ...main.saved });
const withState = (state: Record<string, string>) => new FakeIO({}, {}, state);

describe('state', () => {
  test('save then load round-trips', () => {
    const main = new FakeIO();
    saveConsumption(main, saved);
    assert.deepEqual(loadConsumption(postView(main)), { kind: 'consumption', consumption: saved });
  });

  test('nothing saved: none', () => {
    assert.deepEqual(loadConsumption(new FakeIO()), { kind: 'none' });
  });

  test('done wins over a saved consumption', () => {
    const main = new FakeIO();
    saveConsumption(main, saved);
    markDone(main, 'checked in by the main step');
    assert.deepEqual(loadConsumption(postView(main)), { kind: 'done', how: 'checked in by the main step' });
  });

  test('truncated, foreign and tampered state is invalid, with a reason', () => {
    const json = JSON.stringify(saved);
    const cases: Array<[string, RegExp]> = [
      [json.slice(0, json.length - 5), /not JSON/],
      ['{', /not JSON/],
      ['null', /unknown format/],
      ['"text"', /unknown format/],
      ['[1,2]', /unknown format/],
      ['{"token":"abc"}', /unknown format/],
      [JSON.stringify({ ...saved, v: 2 }), /unknown format/],
      [JSON.stringify({ ...saved, consumptionToken: undefined }), /no usable consumption token/],
      [JSON.stringify({ ...saved, consumptionToken: 'short' }), /no usable consumption token/],
      [JSON.stringify({ ...saved, consumptionToken: 'has spaces in it' }), /no usable consumption token/],
      [JSON.stringify({ ...saved, consumptionToken: 'x'.repeat(2049) }), /no usable consumption token/],
      [JSON.stringify({ ...saved, consumptionToken: 12345678 }), /no usable consumption token/],
      [JSON.stringify({ ...saved, region: undefined }), /missing fields/],
      [JSON.stringify({ ...saved, nodeId: 7 }), /missing fields/],
      [JSON.stringify({ ...saved, checkIn: 'true' }), /missing fields/],
    ];
    for (const [raw, problem] of cases) {
      const s = loadConsumption(withState({ consumption: raw }));
      assert.equal(s.kind, 'invalid', raw);
      if (s.kind === 'invalid') assert.match(s.problem, problem, raw);
    }
  });

  test('property: any state string loads as one of the four kinds, never throws', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.jsonValue().map((v) => JSON.stringify({ ...saved, ...(typeof v === 'object' && v !== null && !Array.isArray(v) ? v : { x: v }) }))), (raw) => {
        const s = loadConsumption(withState({ consumption: raw }));
        assert.ok(['none', 'invalid', 'consumption'].includes(s.kind));
        if (s.kind === 'consumption') {
          assert.match(s.consumption.consumptionToken, /^[\w-]{8,2048}$/);
          assert.equal(typeof s.consumption.checkIn, 'boolean');
        }
      }),
    );
  });
});

describe('state sealed under a key in RUNNER_TEMP', () => {
  const temp = mkdtempSync(join(tmpdir(), 'lg-state-'));
  after(() => rmSync(temp, { recursive: true, force: true }));
  /** A RUNNER_TEMP of the test's own. */
  const runner = () => ({ RUNNER_TEMP: mkdtempSync(join(temp, 'rt-')), GITHUB_ACTION: 'license' });

  test('a key swapped for one the attacker knows: the state sealed with it is refused, naming the key file', () => {
    const env = runner();
    const main = new FakeIO({}, env);
    saveConsumption(main, saved);
    assert.equal(loadConsumption(new FakeIO({}, env, { ...main.saved })).kind, 'consumption', 'sealed and read back');
    // Another local user replaces the key with one they know (readable by them), and forges the state.
    const [name] = readdirSync(env.RUNNER_TEMP).filter((f) => f.endsWith('.key'));
    const keyPath = join(env.RUNNER_TEMP, name!);
    unlinkSync(keyPath);
    const known = Buffer.alloc(32, 0x42);
    writeFileSync(keyPath, known, { mode: 0o644 });
    const forged = { ...saved, consumptionToken: 'ffffffffffffffffffffffffffffffff' };
    const state = { consumption: JSON.stringify({ ...forged, seal: sealOf(known, JSON.stringify(forged)) }) };
    const s = loadConsumption(new FakeIO({}, env, state));
    assert.equal(s.kind, 'invalid', 'the forged state was believed');
    if (s.kind === 'invalid') assert.ok(s.problem.includes(keyPath), s.problem);
  });

  test('a sealed keepalive handle that is no handle is refused', () => {
    const env = runner();
    const main = new FakeIO({}, env);
    saveConsumption(main, { ...saved, keepalive: { pid: -1, statusFile: '/x' } });
    const s = loadConsumption(new FakeIO({}, env, { ...main.saved }));
    assert.equal(s.kind, 'invalid');
  });
});

describe('checkoutSummary', () => {
  const base = {
    title: 'License checked out',
    licenseArn: 'arn:aws:license-manager::111122223333:license:l-1',
    productSku: 'SKU-1',
    nodeId: 'octo-org/widget/runs/1/attempts/1/build',
    checkoutType: 'PROVISIONAL',
    granted: [{ name: 'Seats', value: '1', unit: 'Count' }],
    missing: parseEntitlements('Seats = 1\nGPU = 2 (optional)').filter((e) => e.name === 'GPU'),
    expiration: '2025-03-01T13:00:00Z',
  };

  test('title, facts and a granted/missing table', () => {
    const md = checkoutSummary({ ...base, waitedMs: 12_340, notes: ['Signed token verified'] });
    assert.equal(
      md,
      [
        '### License checked out',
        '',
        '- License: `arn:aws:license-manager::111122223333:license:l-1`',
        '- SKU: `SKU-1`',
        '- Node: `octo-org/widget/runs/1/attempts/1/build`',
        '- Type: PROVISIONAL',
        '- Expires: 2025-03-01T13:00:00Z',
        '- Waited for a seat: 12.3s',
        '- Signed token verified',
        '',
        '| Entitlement | Value | Result |',
        '|---|---|---|',
        '| Seats | 1 Count | granted |',
        '| GPU | 2 Count | missing (optional) |',
        '',
      ].join('\n'),
    );
  });

  test('absent facts are left out, no wait line when nothing was waited', () => {
    const md = checkoutSummary({ ...base, licenseArn: undefined, productSku: undefined, expiration: undefined, waitedMs: 0 });
    assert.ok(!md.includes('License:'));
    assert.ok(!md.includes('SKU:'));
    assert.ok(!md.includes('Expires'));
    assert.ok(!md.includes('Waited'));
    assert.ok(!md.includes('undefined'));
  });

  test('pipes and newlines in names cannot break the table', () => {
    const md = checkoutSummary({ ...base, granted: [{ name: 'A|B\nC', value: '1', unit: 'Count' }], missing: [] });
    assert.ok(md.includes('| A\\|B C | 1 Count | granted |'));
    const rows = md.split('\n').filter((l) => l.startsWith('| '));
    assert.equal(rows.length, 2);
  });
});

describe('sleep', () => {
  test('waits about the time asked', async () => {
    const t0 = performance.now();
    await sleep(30);
    assert.ok(performance.now() - t0 >= 25);
  });

  test('an abort cuts it short and resolves', async () => {
    const c = new AbortController();
    const t0 = performance.now();
    const done = sleep(10_000, c.signal);
    setTimeout(() => c.abort(), 10);
    await done;
    assert.ok(performance.now() - t0 < 2_000);
  });

  test('an already aborted signal resolves at once', async () => {
    const c = new AbortController();
    c.abort();
    const t0 = performance.now();
    await sleep(10_000, c.signal);
    assert.ok(performance.now() - t0 < 500);
  });
});
