import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { parseDuration } from '../../src/duration.js';
import { InputError } from '../../src/input-error.js';

describe('parseDuration', () => {
  test('the documented forms', () => {
    const cases: Array<[string, number]> = [
      ['0', 0],
      ['', 0],
      ['   ', 0],
      ['90', 90_000],
      ['90s', 90_000],
      ['500ms', 500],
      ['10m', 600_000],
      ['1h', 3_600_000],
      ['1h30m', 5_400_000],
      ['1h30m15s250ms', 5_415_250],
      ['1.5m', 90_000],
      [' 10M ', 600_000],
      ['2H', 7_200_000],
      ['0s', 0],
      ['0.5ms', 1],
    ];
    for (const [text, ms] of cases) assert.equal(parseDuration(text, 'wait-timeout'), ms, text);
  });

  test('everything else is an InputError naming the input and the text', () => {
    for (const text of ['-1', '-5s', '1 h', '1h 30m', 'ten', '10x', 's', '1.s', '.5s', '1e3', '1d', '10 minutes', 'Infinity', '0x10', '1h-30m', '1,5s']) {
      assert.throws(
        () => parseDuration(text, 'wait-timeout'),
        (e: unknown) => e instanceof InputError && e.input === 'wait-timeout' && e.message === `Input 'wait-timeout': '${text}' is not a duration (examples: 0, 90s, 10m, 1h30m)`,
        text,
      );
    }
  });

  test('the input name given is the one reported', () => {
    assert.throws(() => parseDuration('soon', 'clock-skew'), /^InputError: Input 'clock-skew': 'soon' is not a duration/);
  });

  test('property: any string is a finite non-negative number of ms or an InputError naming the input', () => {
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.array(fc.constantFrom('1', '0', '9', '.', '5', 'ms', 's', 'm', 'h', 'H', ' ', '-', 'e'), { maxLength: 12 }).map((a) => a.join('')),
    );
    fc.assert(
      fc.property(text, (t) => {
        try {
          const ms = parseDuration(t, 'wait-timeout');
          assert.ok(Number.isInteger(ms) && ms >= 0, `${t} -> ${ms}`);
        } catch (error) {
          if (!(error instanceof InputError)) throw error;
          assert.equal(error.input, 'wait-timeout');
          assert.ok(error.message.startsWith("Input 'wait-timeout': "));
        }
      }),
      { numRuns: 3000 },
    );
  });

  test('property: sums of parts add up', () => {
    fc.assert(
      fc.property(fc.nat(100), fc.nat(59), fc.nat(59), fc.nat(999), (h, m, s, ms) => {
        assert.equal(parseDuration(`${h}h${m}m${s}s${ms}ms`, 'x'), ((h * 60 + m) * 60 + s) * 1000 + ms);
      }),
    );
  });

  test(
    'a duration too large to represent is refused, not Infinity',
    () => {
      assert.throws(() => parseDuration('9'.repeat(400), 'wait-timeout'), InputError);
      assert.throws(() => parseDuration(`${'9'.repeat(400)}h`, 'wait-timeout'), InputError);
    },
  );

  test('hostile lengths are refused in linear time, naming the input (131 KB once cost 9 s)', () => {
    const inputs = [`${'1'.repeat(131_000)}x`, '1s'.repeat(65_000), `${'1.'.repeat(65_000)}s`, `1${' '.repeat(131_000)}s`, '9'.repeat(131_000)];
    for (const text of inputs) {
      const started = process.hrtime.bigint();
      assert.throws(() => parseDuration(text, 'clock-skew'), (e: unknown) => e instanceof InputError && e.input === 'clock-skew' && e.message.length < 300);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      assert.ok(ms < 50, `${text.slice(0, 8)}… (${text.length} chars) took ${ms.toFixed(0)} ms`);
    }
  });

  test('a long but honest duration is still read (the cap is on characters, not on parts)', () => {
    assert.equal(parseDuration('  1h1m1s1ms  ', 'wait-timeout'), 3_661_001);
    assert.equal(parseDuration(`${'0'.repeat(50)}1s`, 'wait-timeout'), 1000);
  });
});
