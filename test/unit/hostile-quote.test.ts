// What leaves the steps (issue 14, item 9): shown() and the verifier's quote() put values from
// inputs, answers and tokens into log lines. Whatever a line reader may take as a line end, or a
// terminal as a control sequence, comes out as a visible escape.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { InputError } from '../../src/input-error.js';
import { CONTROL_CHARS, shown } from '../../src/quote.js';
import { quote } from '../../src/token/refusal.js';

/** C0, DEL, C1 (NEL U+0085 and CSI U+009B among them), LINE SEPARATOR and PARAGRAPH SEPARATOR. */
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/; // eslint-disable-line no-control-regex -- matching them is the point

describe('shown() and quote() escape every control character', () => {
  const cases: [string, string][] = [
    ['\n', '\\n'],
    ['\u0000', '\\u0000'],
    ['\u007f', '\\u007f'],
    ['\u0085', '\\u0085'],
    ['\u009b', '\\u009b'],
    ['\u2028', '\\u2028'],
    ['\u2029', '\\u2029'],
  ];
  for (const [raw, escaped] of cases) {
    test(`U+${raw.charCodeAt(0).toString(16).padStart(4, '0')}`, () => {
      assert.equal(shown(`a${raw}b`), `a${escaped}b`);
      assert.equal(quote(`a${raw}b`), `"a${escaped}b"`);
      assert.ok(CONTROL_CHARS.test(raw), 'an input holding it is refused as not one line');
    });
  }

  test('property: no control character survives, in shown(), quote() or an InputError', () => {
    const text = fc.oneof(fc.string({ unit: 'binary', maxLength: 60 }), fc.array(fc.integer({ min: 0, max: 0x2030 }).map((c) => String.fromCharCode(c)), { maxLength: 40 }).map((a) => a.join('')));
    fc.assert(
      fc.property(text, (t) => {
        assert.ok(!CONTROLS.test(shown(t)), JSON.stringify(shown(t)));
        assert.ok(!CONTROLS.test(quote(t)), JSON.stringify(quote(t)));
        assert.ok(!CONTROLS.test(new InputError('x', t).message));
      }),
      { numRuns: 2000 },
    );
  });

  test('ordinary text, and other non-ASCII text, is unchanged', () => {
    assert.equal(shown('Seats = 1 é 🙂 \u00a0'), 'Seats = 1 é 🙂 \u00a0');
    assert.equal(quote('Premium'), '"Premium"');
  });
});
