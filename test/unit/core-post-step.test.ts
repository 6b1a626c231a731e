import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AwsFailure } from '../../src/failure.js';
import type { ActionInputs } from '../../src/inputs.js';
import { runMain } from '../../src/main-step.js';
import { runPost, type KeepaliveReport, type PostDeps } from '../../src/post-step.js';
import type { SavedConsumption } from '../../src/state.js';
import { FakeIO, FakeLicenseManager, jobEnv, newToken, VirtualClock } from './fakes.js';

function world() {
  const clock = new VirtualClock();
  const lm = new FakeLicenseManager(clock.now);
  const l = lm.addLicense({ entitlements: [{ name: 'Seats', maxCount: 3 }] });
  return { clock, lm, arn: l.licenseArn };
}

/** A seat held by this job, and the state the main step would have saved for it. */
function held(w: ReturnType<typeof world>, extra: Partial<SavedConsumption> = {}): SavedConsumption {
  const token = w.lm.occupy(w.arn, 'Seats');
  return {
    v: 1,
    mode: 'checkout',
    licenseArn: w.arn,
    consumptionToken: token,
    checkoutType: 'PROVISIONAL',
    checkIn: true,
    region: 'eu-central-1',
    nodeId: 'octo-org/widget/runs/4242/attempts/1/build',
    expiration: '2025-03-01T13:00:00Z',
    ...extra,
  };
}

function postWith(w: ReturnType<typeof world>, state: Record<string, string>, extra: Partial<PostDeps> = {}, inputs: Record<string, string> = {}) {
  const io = new FakeIO(inputs, jobEnv(), state);
  const deps: PostDeps = { io, licenseService: w.lm.service, ...extra };
  return { io, run: () => runPost(deps) };
}

const stateOf = (s: SavedConsumption) => ({ consumption: JSON.stringify(s) });

describe('runPost: nothing to do', () => {
  test('no state (main failed before checkout): says so, no AWS client, no warning', async () => {
    const w = world();
    const { io, run } = postWith(w, {});
    await run();
    assert.deepEqual(io.lines('info'), ['Nothing to check in: the main step did not check a license out.']);
    assert.deepEqual(io.lines('warning'), []);
    assert.equal(io.failed, undefined);
    assert.deepEqual(w.lm.settings, []);
  });

  test('done state: says how, checks nothing in', async () => {
    const w = world();
    const s = held(w);
    const { io, run } = postWith(w, { ...stateOf(s), done: 'checked in by the main step: the job was cancelled' });
    await run();
    assert.deepEqual(io.lines('info'), ['Nothing left to do: checked in by the main step: the job was cancelled.']);
    assert.equal(w.lm.held('Seats'), 1);
    assert.deepEqual(w.lm.settings, []);
  });

  test('post after a failed main (bad input): nothing to do', async () => {
    const w = world();
    const main = new FakeIO({ entitlements: 'Seats = x', 'license-arn': w.arn }, jobEnv());
    await runMain({ io: main, licenseService: w.lm.service, now: w.clock.now, sleep: w.clock.sleep });
    assert.match(main.failed ?? '', /^Input 'entitlements'/);
    const { io, run } = postWith(w, { ...main.saved });
    await run();
    assert.deepEqual(io.lines('info'), ['Nothing to check in: the main step did not check a license out.']);
  });
});

describe('runPost: state it cannot trust', () => {
  const cases: Array<[string, (s: SavedConsumption) => string, RegExp]> = [
    ['truncated', (s) => JSON.stringify(s).slice(0, 40), /the saved state is not JSON \(truncated\?\)/],
    ['foreign', () => JSON.stringify({ token: 'abc', kind: 'other-action' }), /unknown format/],
    ['a future version', (s) => JSON.stringify({ ...s, v: 2 }), /unknown format/],
    ['tampered token', (s) => JSON.stringify({ ...s, consumptionToken: `${s.consumptionToken}; rm -rf /` }), /no usable consumption token/],
    ['tampered fields', (s) => JSON.stringify({ ...s, checkIn: 'yes' }), /missing fields/],
  ];
  for (const [what, make, problem] of cases) {
    test(`${what}: a warning, no check-in, no AWS client`, async () => {
      const w = world();
      const s = held(w);
      const { io, run } = postWith(w, { consumption: make(s) });
      await run();
      const warnings = io.lines('warning');
      assert.equal(warnings.length, 1);
      assert.match(warnings[0] ?? '', /^Not checking anything in: /);
      assert.match(warnings[0] ?? '', problem);
      assert.match(warnings[0] ?? '', /returns by itself when it expires\.$/);
      assert.equal(io.failed, undefined, 'the post step never fails the job');
      assert.equal(w.lm.held('Seats'), 1);
      assert.deepEqual(w.lm.settings, []);
      assert.ok(!io.printed.includes(s.consumptionToken), 'the token is not echoed');
    });
  }
});

describe('runPost: check-in', () => {
  test('success: the seat is returned, masked token, info line and summary', async () => {
    const w = world();
    const s = held(w, { beneficiary: 'me' });
    const { io, run } = postWith(w, stateOf(s));
    await run();
    assert.equal(w.lm.held('Seats'), 0);
    assert.deepEqual(io.lines('info'), [`Checked in ${w.arn} for node 'octo-org/widget/runs/4242/attempts/1/build'.`]);
    assert.deepEqual(io.lines('warning'), []);
    assert.equal(io.summary, [`### License checked in`, '', `- License: \`${w.arn}\``, '- Node: `octo-org/widget/runs/4242/attempts/1/build`', ''].join('\n'));
    assert.equal(io.events[0]?.kind, 'secret');
    assert.equal(io.events[0]?.text, s.consumptionToken);
    assert.ok(!io.printed.includes(s.consumptionToken));
    assert.deepEqual(w.lm.calls, [{ op: 'checkIn', arg: { token: s.consumptionToken, beneficiary: 'me' } }]);
    assert.deepEqual(w.lm.settings, [{ region: 'eu-central-1', credentials: undefined, patienceMs: 0 }], "the saved region, not the job's (and the saved expiry is past)");
    assert.equal(w.lm.destroyed, 1);
  });

  test('failure: a warning that says when the seat returns by itself; the job does not fail', async () => {
    const w = world();
    const s = held(w);
    w.lm.failNext('checkIn', new AwsFailure('unavailable', 'CheckInLicense', 'ServerInternalException', 'internal error'));
    const { io, run } = postWith(w, stateOf(s));
    await run();
    assert.deepEqual(io.lines('warning'), [
      `Check-in failed: CheckInLicense failed after retries (ServerInternalException): License Manager is throttling or unavailable. This is not a licensing decision; re-run the job. AWS said: internal error The seat returns by itself at 2025-03-01T13:00:00Z.`,
    ]);
    assert.equal(io.failed, undefined);
    assert.match(io.summary, /^### License check-in failed/);
    assert.equal(w.lm.held('Seats'), 1);
    assert.equal(w.lm.destroyed, 1);
  });

  test('failure without a known expiry, and a non-AWS error', async () => {
    const w = world();
    const s = held(w, { expiration: undefined });
    w.lm.failNext('checkIn', new Error('socket hang up'));
    const { io, run } = postWith(w, stateOf(s));
    await run();
    assert.deepEqual(io.lines('warning'), ['Check-in failed: Error: socket hang up The seat returns by itself at the end of its time to live.']);
  });

  test('denied: names the permission', async () => {
    const w = world();
    const s = held(w);
    w.lm.failNext('checkIn', new AwsFailure('denied', 'CheckInLicense', 'AccessDeniedException', 'no'));
    const { io, run } = postWith(w, stateOf(s));
    await run();
    assert.match(io.lines('warning')[0] ?? '', /lacks license-manager:CheckInLicense for arn:aws:license-manager/);
  });

  test('not found (already checked in or expired): an info line, no warning', async () => {
    const w = world();
    const s = held(w);
    w.lm.release(s.consumptionToken);
    const { io, run } = postWith(w, stateOf(s));
    await run();
    assert.deepEqual(io.lines('info'), ['Nothing to check in: the consumption already ended (checked in or expired).']);
    assert.deepEqual(io.lines('warning'), []);
    assert.equal(io.failed, undefined);
  });

  test('PERPETUAL: not checked in, says the consumption lasts until its expiry', async () => {
    const w = world();
    const s = held(w, { checkoutType: 'PERPETUAL', checkIn: false });
    const { io, run } = postWith(w, stateOf(s));
    await run();
    assert.deepEqual(io.lines('info'), ['Not checking in: a PERPETUAL checkout is consumed for good; the consumption lasts until 2025-03-01T13:00:00Z.']);
    assert.deepEqual(w.lm.calls, []);
    assert.deepEqual(w.lm.settings, []);
    assert.match(io.summary, /^### License kept/);
  });

  test('check-in false on a PROVISIONAL checkout: kept, "check-in is off"', async () => {
    const w = world();
    const s = held(w, { checkIn: false, expiration: undefined });
    const { io, run } = postWith(w, stateOf(s));
    await run();
    assert.deepEqual(io.lines('info'), ['Not checking in: check-in is off.']);
    assert.equal(w.lm.held('Seats'), 1);
  });

  test('the license-token input is masked first', async () => {
    const w = world();
    const { io, run } = postWith(w, {}, {}, { 'license-token': 'lt-refresh-secret' });
    await run();
    assert.deepEqual(io.events[0], { kind: 'secret', text: 'lt-refresh-secret' });
  });

  test('credentials get the parsed inputs when they parse, undefined when they do not, and the saved state', async () => {
    const w = world();
    const seen: Array<[ActionInputs | undefined, SavedConsumption]> = [];
    const creds = { accessKeyId: 'AKIA', secretAccessKey: 's' };
    const credentials = async (i: ActionInputs | undefined, saved: SavedConsumption) => {
      seen.push([i, saved]);
      return creds;
    };
    const s1 = held(w);
    await postWith(w, stateOf(s1), { credentials }, { 'license-arn': w.arn, entitlements: 'Seats = 1', 'license-token': 'rt', 'role-arn': 'arn:aws:iam::111122223333:role/r' }).run();
    assert.equal(seen[0]?.[0]?.licenseToken?.token, 'rt');
    assert.equal(seen[0]?.[1].consumptionToken, s1.consumptionToken);
    assert.deepEqual(w.lm.settings[0], { region: 'eu-central-1', credentials: creds, patienceMs: 0 });
    const s2 = held(w);
    await postWith(w, stateOf(s2), { credentials }, { entitlements: '' }).run();
    assert.equal(seen[1]?.[0], undefined);
    assert.equal(w.lm.held('Seats'), 0, 'both checked in');
  });
});

describe('runPost: the job summary cannot be written', () => {
  test(
    'a successful check-in is not reported as failed, and the post step does not throw',
    async () => {
      const w = world();
      const s = held(w);
      const io = new FakeIO({}, jobEnv(), stateOf(s));
      io.appendSummary = async () => {
        throw new Error('EACCES: GITHUB_STEP_SUMMARY not writable');
      };
      await assert.doesNotReject(runPost({ io, licenseService: w.lm.service }));
      assert.equal(w.lm.held('Seats'), 0);
      assert.ok(!io.lines('warning').some((l) => l.startsWith('Check-in failed')), io.lines('warning').join('\n'));
    },
  );
});

describe('runPost: throttling', () => {
  test('the check-in is patient with throttling until the consumption would expire (the keepalive\'s newest expiry)', async () => {
    const w = world();
    const s = held(w, { keepalive: { pid: 99, statusFile: '/tmp/s.json' } });
    const now = Date.parse('2025-03-01T12:00:00Z');
    const { run } = postWith(w, stateOf(s), {
      now: () => now,
      peekKeepalive: async () => ({ consumptionToken: s.consumptionToken, expiration: '2025-03-01T12:40:00Z', extensions: 1, failures: [] }),
      stopKeepalive: async () => ({ extensions: 1, failures: [] }),
    });
    await run();
    assert.equal(w.lm.settings[0]?.patienceMs, 40 * 60_000);
    assert.equal(w.lm.held('Seats'), 0);
  });

  test('without a keepalive, patient until the expiry the main step saved; none when it is past', async () => {
    const w = world();
    const s = held(w);
    await postWith(w, stateOf(s), { now: () => Date.parse('2025-03-01T12:30:00Z') }).run();
    assert.equal(w.lm.settings[0]?.patienceMs, 30 * 60_000);
    const late = world();
    await postWith(late, stateOf(held(late)), { now: () => Date.parse('2025-03-01T14:00:00Z') }).run();
    assert.equal(late.lm.settings[0]?.patienceMs, 0);
  });
});

describe('runPost: keepalive', () => {
  test('stops the keepalive, checks in with its newest token, reports extensions and failures', async () => {
    const w = world();
    const newest = w.lm.occupy(w.arn, 'Seats');
    const s = held(w, { keepalive: { pid: 99, statusFile: '/tmp/s.json' } });
    w.lm.release(s.consumptionToken); // the main step's token was superseded
    const stopped: SavedConsumption[] = [];
    const report: KeepaliveReport = { consumptionToken: newest, expiration: '2025-03-01T15:00:00Z', extensions: 3, failures: ['throttled once'] };
    const { io, run } = postWith(w, stateOf(s), {
      stopKeepalive: async (saved) => {
        stopped.push(saved);
        return report;
      },
    });
    await run();
    assert.equal(stopped[0]?.keepalive?.pid, 99);
    assert.deepEqual(w.lm.calls.map((c) => c.arg), [{ token: newest, beneficiary: undefined }]);
    assert.equal(w.lm.held('Seats'), 0);
    assert.ok(io.maskIndex(newest) >= 0 && io.maskIndex(newest) < io.events.findIndex((e) => e.kind === 'info'));
    assert.ok(io.lines('info').includes('Keepalive: 3 extension(s), 1 failure(s): throttled once.'));
    assert.match(io.summary, /- Keepalive extensions: 3, failures: 1/);
    assert.ok(!io.printed.includes(newest));
  });

  test('the license itself ended during the job: a warning that says so (not network trouble), then the seat is still checked in', async () => {
    const w = world();
    const s = held(w, { keepalive: { pid: 99, statusFile: '/tmp/s.json' } });
    const report: KeepaliveReport = {
      consumptionToken: s.consumptionToken, expiration: '2025-03-01T14:00:00Z', extensions: 2, failures: ['ValidationException: License is SUSPENDED'],
      ended: 'the license itself ended: ...', licenseEnded: 'the license status is SUSPENDED, not AVAILABLE',
    };
    const { io, run } = postWith(w, stateOf(s), { stopKeepalive: async () => report });
    await run();
    assert.deepEqual(io.lines('warning'), [
      'The license itself ended during the job: the license status is SUSPENDED, not AVAILABLE. The keepalive stopped extending the consumption; it lapses at 2025-03-01T14:00:00Z at the latest.',
    ]);
    assert.equal(w.lm.held('Seats'), 0, 'checked in all the same');
    assert.match(io.summary, /- The license ended during the job: the license status is SUSPENDED, not AVAILABLE/);
  });

  test('a failed check-in after keepalive reports the newest expiry', async () => {
    const w = world();
    const s = held(w);
    w.lm.failNext('checkIn', new AwsFailure('unavailable', 'CheckInLicense', 'ServerInternalException', 'x'));
    const { io, run } = postWith(w, stateOf(s), { stopKeepalive: async () => ({ extensions: 1, failures: [], expiration: '2025-03-01T17:00:00Z' }) });
    await run();
    assert.match(io.lines('warning')[0] ?? '', /The seat returns by itself at 2025-03-01T17:00:00Z\.$/);
  });

  test("a keepalive whose status cannot be read does not stop the check-in", async () => {
    const w = world();
    const s = held(w);
    const { io, run } = postWith(w, stateOf(s), {
      stopKeepalive: async () => {
        throw new Error('status file missing');
      },
    });
    await run();
    assert.deepEqual(io.lines('warning'), ["Could not read the keepalive's status (status file missing); checking in with the token the main step saved."]);
    assert.equal(w.lm.held('Seats'), 0);
  });

  test('no keepalive report: the saved token is used, no keepalive line', async () => {
    const w = world();
    const s = held(w);
    const { io, run } = postWith(w, stateOf(s), { stopKeepalive: async () => undefined });
    await run();
    assert.equal(w.lm.held('Seats'), 0);
    assert.ok(!io.printed.includes('Keepalive'));
  });
});

describe('runPost: the keepalive\'s folder is removed', () => {
  const k = { pid: 99, statusFile: '/runner/temp/license-gate-abc123/keepalive.json', startTime: '5' };

  test('after the keepalive is stopped, whatever the check-in did; and when its status cannot be read', async () => {
    for (const [what, extra] of [
      ['checked in', {}],
      ['check-in failed', { fail: true }],
      ['status unreadable', { unreadable: true }],
      ['check-in off', { checkIn: false }],
    ] as const) {
      const w = world();
      const s = held(w, { keepalive: k, ...('checkIn' in extra ? { checkIn: extra.checkIn } : {}) });
      if ('fail' in extra) w.lm.failNext('checkIn', new AwsFailure('unavailable', 'CheckInLicense', 'ServerInternalException', 'x'), 2);
      const order: string[] = [];
      const { io, run } = postWith(w, stateOf(s), {
        stopKeepalive: async () => {
          order.push('stop');
          if ('unreadable' in extra) throw new Error('status file missing');
          return { extensions: 0, failures: [] };
        },
        removeKeepalive: (saved) => void order.push(`remove ${saved.keepalive?.statusFile}`),
      });
      await run();
      assert.deepEqual(order, ['stop', `remove ${k.statusFile}`], what);
      assert.equal(io.failed, undefined, what);
    }
  });

  test('a folder that cannot be removed is a warning that says a secret stays on disk', async () => {
    const w = world();
    const s = held(w, { keepalive: k });
    const { io, run } = postWith(w, stateOf(s), {
      stopKeepalive: async () => ({ extensions: 0, failures: [] }),
      removeKeepalive: () => {
        throw new Error('EBUSY: resource busy');
      },
    });
    await run();
    assert.deepEqual(io.lines('warning'), ["Could not remove the keepalive's folder (EBUSY: resource busy): its status file, with the consumption token, stays until the runner empties RUNNER_TEMP."]);
    assert.equal(w.lm.held('Seats'), 0, 'checked in all the same');
    assert.equal(io.failed, undefined);
  });

  test('state it cannot trust: nothing removed', async () => {
    const w = world();
    const s = held(w, { keepalive: k });
    let removed = 0;
    const { run } = postWith(w, { consumption: JSON.stringify({ ...s, v: 2 }) }, { removeKeepalive: () => void removed++ });
    await run();
    assert.equal(removed, 0);
  });
});

describe('main then post: no seat left behind', () => {
  test('PROVISIONAL: held during the job, returned by the post step', async () => {
    const w = world();
    const main = new FakeIO({ 'license-arn': w.arn, entitlements: 'Seats = 2', keepalive: 'false' }, jobEnv());
    await runMain({ io: main, licenseService: w.lm.service, now: w.clock.now, sleep: w.clock.sleep });
    assert.equal(main.failed, undefined);
    assert.equal(w.lm.held('Seats'), 2);
    const { io, run } = postWith(w, { ...main.saved });
    await run();
    assert.equal(w.lm.held('Seats'), 0);
    assert.equal(w.lm.heldSeats(), 0);
    assert.ok(!io.printed.includes(main.outputs['license-consumption-token'] ?? '-'));
  });

  test('two uses of the action in one job keep separate state and each returns only its own seat', async () => {
    const w = world();
    const a = new FakeIO({ 'license-arn': w.arn, entitlements: 'Seats = 1', keepalive: 'false' }, jobEnv({ GITHUB_ACTION: 'first' }));
    const b = new FakeIO({ 'license-arn': w.arn, entitlements: 'Seats = 1', keepalive: 'false' }, jobEnv({ GITHUB_ACTION: 'second' }));
    for (const io of [a, b]) await runMain({ io, licenseService: w.lm.service, now: w.clock.now, sleep: w.clock.sleep });
    const ta = a.outputs['license-consumption-token'];
    const tb = b.outputs['license-consumption-token'];
    assert.ok(ta && tb && ta !== tb);
    assert.equal(w.lm.held('Seats'), 2);
    await postWith(w, { ...a.saved }).run();
    assert.deepEqual(w.lm.activeTokens(), [tb]);
    await postWith(w, { ...b.saved }).run();
    assert.deepEqual(w.lm.activeTokens(), []);
  });

  test('a post step given the state of a seat it never checked out is told "not found", not a warning', async () => {
    const w = world();
    const s = { ...held(w), consumptionToken: newToken() };
    const { io, run } = postWith(w, stateOf(s));
    await run();
    assert.equal(w.lm.held('Seats'), 1, 'the real seat is untouched');
    assert.deepEqual(io.lines('warning'), []);
  });
});
