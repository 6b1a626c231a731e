import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sleep } from '../../src/sleep.js';

test('a delay longer than one timer holds (2^31 - 1 ms) is slept in full, in turns', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  let done = false;
  const slept = sleep(2 ** 31 + 5_000).then(() => (done = true));
  t.mock.timers.tick(2 ** 31 - 1);
  await Promise.resolve();
  assert.equal(done, false, 'not woken when the first timer fires');
  t.mock.timers.tick(6_000);
  await slept;
  assert.equal(done, true);
});

test('an abort cuts the sleep short and resolves', async () => {
  const controller = new AbortController();
  const started = Date.now();
  const slept = sleep(60_000, controller.signal);
  controller.abort();
  await slept;
  assert.ok(Date.now() - started < 1_000);
});
