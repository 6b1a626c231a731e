import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { compareGrant, describe as describeEntitlement, parseEntitlements, type EntitlementRequest } from '../../src/entitlements.js';
import { InputError } from '../../src/input-error.js';
import { canonicalUnit, UNITS } from '../../src/units.js';

/** Runs `fn`, expects an InputError for `input` whose message matches `pattern`. */
function refused(fn: () => unknown, input: string, pattern: RegExp): InputError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof InputError, `expected an InputError, got ${String(caught)}`);
  assert.equal(caught.input, input);
  assert.ok(caught.message.startsWith(`Input '${input}': `), caught.message);
  assert.match(caught.message, pattern);
  return caught;
}

describe('units', () => {
  test('every AWS unit is matched case-insensitively and comes back canonical', () => {
    for (const u of UNITS) {
      assert.equal(canonicalUnit(u), u);
      assert.equal(canonicalUnit(u.toUpperCase()), u);
      assert.equal(canonicalUnit(u.toLowerCase()), u);
    }
  });
  test('unknown units are undefined', () => {
    for (const t of ['', 'Seats', 'count ', 'Bytes/Sec', 'Kb', 'toString', '__proto__', 'constructor']) {
      assert.equal(canonicalUnit(t), undefined, t);
    }
  });
  test('the list is the 27 units of the License Manager model', () => {
    assert.equal(UNITS.length, 27);
    assert.equal(new Set(UNITS).size, 27);
    assert.ok(UNITS.includes('Count/Second'));
  });
});

describe('parseEntitlements: line grammar', () => {
  test('NAME = VALUE defaults to Count, required', () => {
    assert.deepEqual(parseEntitlements('Seats = 1'), [{ name: 'Seats', value: '1', unit: 'Count', optional: false }]);
  });

  test('names may contain spaces; surrounding whitespace goes', () => {
    assert.deepEqual(parseEntitlements('  Premium Feature Pack   =   2   Count  '), [
      { name: 'Premium Feature Pack', value: '2', unit: 'Count', optional: false },
    ]);
  });

  test('units are case-insensitive and canonicalised', () => {
    const list = parseEntitlements('A = 1 count\nB = 10 GIGABYTES\nC = 5 bits/second\nD = 2.5 percent');
    assert.deepEqual(
      list.map((e) => [e.name, e.value, e.unit]),
      [
        ['A', '1', 'Count'],
        ['B', '10', 'Gigabytes'],
        ['C', '5', 'Bits/Second'],
        ['D', '2.5', 'Percent'],
      ],
    );
  });

  test('(optional) marks an entitlement optional, in any case and spacing', () => {
    const list = parseEntitlements('Seats = 1\nGPU = 1 Count (optional)\nTurbo = 1 (Optional)\nX = 3( OPTIONAL )');
    assert.deepEqual(
      list.map((e) => [e.name, e.value, e.unit, e.optional]),
      [
        ['Seats', '1', 'Count', false],
        ['GPU', '1', 'Count', true],
        ['Turbo', '1', 'Count', true],
        ['X', '3', 'Count', true],
      ],
    );
  });

  test('(optional) in the middle of a line is not a marker', () => {
    refused(() => parseEntitlements('A = 1 (optional) Count'), 'entitlements', /line 1.*expected a value and an optional unit/);
  });

  test('blank lines and # comments are skipped; CRLF works', () => {
    const list = parseEntitlements('# what the build needs\r\n\r\nSeats = 1\r\n   # indented comment\r\nGPU = 2\r\n');
    assert.deepEqual(
      list.map((e) => e.name),
      ['Seats', 'GPU'],
    );
  });

  test('only comments: no entitlement', () => {
    refused(() => parseEntitlements('# nothing\n# here'), 'entitlements', /lists no entitlement/);
  });

  test('empty or blank input is refused', () => {
    refused(() => parseEntitlements(''), 'entitlements', /is empty/);
    refused(() => parseEntitlements(' \n\t\n'), 'entitlements', /is empty/);
  });

  test('a line that is only a name asks for a feature: Unit None, no Value', () => {
    assert.deepEqual(parseEntitlements('Seats = 1\nPremium\nTier 2 (optional)\n  GPU Builds  (Optional)'), [
      { name: 'Seats', value: '1', unit: 'Count', optional: false },
      { name: 'Premium', unit: 'None', optional: false },
      { name: 'Tier 2', unit: 'None', optional: true },
      { name: 'GPU Builds', unit: 'None', optional: true },
    ]);
    refused(() => parseEntitlements('(optional)'), 'entitlements', /line 1 .*the entitlement name is empty/);
    refused(() => parseEntitlements('Premium\nPremium = 1 None'), 'entitlements', /'Premium' is listed twice/);
  });

  test('a word as a value points at the feature form', () => {
    refused(() => parseEntitlements('Premium = Enabled'), 'entitlements', /value 'Enabled' is not a non-negative decimal number \(a feature is asked for by its name alone\)/);
    refused(() => parseEntitlements('Premium = Enabled None'), 'entitlements', /a feature is asked for by its name alone/);
  });

  test('empty name or missing value', () => {
    refused(() => parseEntitlements('= 1'), 'entitlements', /the entitlement name is empty/);
    refused(() => parseEntitlements('Seats ='), 'entitlements', /expected a value/);
    refused(() => parseEntitlements('Seats = (optional)'), 'entitlements', /expected a value/);
    refused(() => parseEntitlements('Seats = 1 Count extra'), 'entitlements', /expected a value and an optional unit/);
  });

  test('negative, non-numeric, zero and fractional counts are refused', () => {
    refused(() => parseEntitlements('Seats = -1'), 'entitlements', /value '-1' is not a non-negative decimal number/);
    refused(() => parseEntitlements('Seats = one'), 'entitlements', /value 'one' is not a non-negative decimal number/);
    refused(() => parseEntitlements('Seats = 1e3'), 'entitlements', /not a non-negative decimal/);
    refused(() => parseEntitlements('Seats = 0x10'), 'entitlements', /not a non-negative decimal/);
    refused(() => parseEntitlements('Seats = 01'), 'entitlements', /not a non-negative decimal/);
    refused(() => parseEntitlements('Seats = .5 Gigabytes'), 'entitlements', /not a non-negative decimal/);
    refused(() => parseEntitlements('Seats = 0'), 'entitlements', /a Count must be a whole number of at least 1, not '0'/);
    refused(() => parseEntitlements('Seats = 1.5 Count'), 'entitlements', /a Count must be a whole number/);
  });

  test('zero and decimals are fine for units other than Count', () => {
    assert.deepEqual(parseEntitlements('Storage = 0 Gigabytes')[0], { name: 'Storage', value: '0', unit: 'Gigabytes', optional: false });
    assert.equal(parseEntitlements('Rate = 0.25 Megabits/Second')[0]?.value, '0.25');
  });

  test('an unknown unit is refused with the list of AWS units', () => {
    const e = refused(() => parseEntitlements('Seats = 1 Seats'), 'entitlements', /unit 'Seats' is not one of AWS's units/);
    assert.match(e.message, /Count, None, Seconds/);
    refused(() => parseEntitlements('Seats = 1 constructor'), 'entitlements', /unit 'constructor'/);
  });

  test('duplicates are refused, by exact name', () => {
    refused(() => parseEntitlements('Seats = 1\nSeats = 2 (optional)'), 'entitlements', /entitlement 'Seats' is listed twice/);
    assert.equal(parseEntitlements('Seats = 1\nseats = 1').length, 2);
  });

  test('names longer than 255 characters are refused', () => {
    assert.equal(parseEntitlements(`${'n'.repeat(255)} = 1`)[0]?.name.length, 255);
    refused(() => parseEntitlements(`${'n'.repeat(256)} = 1`), 'entitlements', /longer than 255/);
  });

  test('the input name given is the one reported', () => {
    refused(() => parseEntitlements('nope = x', 'required-entitlements'), 'required-entitlements', /line 1/);
  });
});

describe('parseEntitlements: JSON form', () => {
  test('a feature without Value: {"Name": "Premium", "Unit": "None"}, or no Unit at all', () => {
    assert.deepEqual(parseEntitlements('[{"Name":"Premium","Unit":"None"},{"Name":"Support","Optional":true}]'), [
      { name: 'Premium', unit: 'None', optional: false },
      { name: 'Support', unit: 'None', optional: true },
    ]);
  });

  test('an array of {Name, Value, Unit, Optional}', () => {
    assert.deepEqual(
      parseEntitlements('[{"Name":"Seats","Value":"1","Unit":"Count"},{"Name":"Storage","Value":2.5,"Unit":"gigabytes","Optional":true}]'),
      [
        { name: 'Seats', value: '1', unit: 'Count', optional: false },
        { name: 'Storage', value: '2.5', unit: 'Gigabytes', optional: true },
      ],
    );
  });

  test('lower-case keys and a missing Unit (Count) are accepted', () => {
    assert.deepEqual(parseEntitlements('[{"name":" Seats ","value":3}]'), [{ name: 'Seats', value: '3', unit: 'Count', optional: false }]);
  });

  test('every malformed shape is refused with the item number', () => {
    refused(() => parseEntitlements('[oops'), 'entitlements', /starts with `\[` but is not valid JSON/);
    refused(() => parseEntitlements('[]'), 'entitlements', /non-empty JSON array/);
    refused(() => parseEntitlements('[1]'), 'entitlements', /item 1 must be an object/);
    refused(() => parseEntitlements('[null]'), 'entitlements', /item 1 must be an object/);
    refused(() => parseEntitlements('[[]]'), 'entitlements', /item 1 must be an object/);
    refused(() => parseEntitlements('[{"Name":"A","Value":"1"},{"Value":"1"}]'), 'entitlements', /item 2: Name must be a string/);
    refused(() => parseEntitlements('[{"Name":"A","Value":true}]'), 'entitlements', /item 1: Value must be a number or a decimal string/);
    refused(() => parseEntitlements('[{"Name":"A","Value":"1","Unit":5}]'), 'entitlements', /item 1: Unit must be a string/);
    refused(() => parseEntitlements('[{"Name":"A","Unit":"Count"}]'), 'entitlements', /item 1: a value is required for unit Count/);
    refused(() => parseEntitlements('[{"Name":"A","Value":"1","Optional":"yes"}]'), 'entitlements', /item 1: Optional must be true or false/);
    refused(() => parseEntitlements('[{"Name":"A","Value":-1}]'), 'entitlements', /item 1: value '-1'/);
    refused(() => parseEntitlements('[{"Name":"A","Value":1e400}]'), 'entitlements', /value 'Infinity'/);
    refused(() => parseEntitlements('[{"Name":"A","Value":"1","Unit":"Apples"}]'), 'entitlements', /unit 'Apples'/);
    refused(() => parseEntitlements('[{"Name":"","Value":"1"}]'), 'entitlements', /name is empty/);
    refused(() => parseEntitlements('[{"Name":"A","Value":"1"},{"Name":"A","Value":"2"}]'), 'entitlements', /'A' is listed twice/);
  });
});

describe('compareGrant and describe', () => {
  const asked: EntitlementRequest[] = [
    { name: 'Seats', value: '1', unit: 'Count', optional: false },
    { name: 'GPU', value: '1', unit: 'Count', optional: true },
    { name: 'Turbo', value: '2', unit: 'Count', optional: false },
  ];

  test('sorts into granted, missing required and missing optional, granted as AWS returned it', () => {
    const cmp = compareGrant(asked, [
      { name: 'Seats', value: '1', unit: 'Count' },
      { name: 'Unasked', value: '9', unit: 'Count' },
    ]);
    assert.deepEqual(cmp.granted, [{ name: 'Seats', value: '1', unit: 'Count' }]);
    assert.deepEqual(
      cmp.missingRequired.map((m) => m.name),
      ['Turbo'],
    );
    assert.deepEqual(
      cmp.missingOptional.map((m) => m.name),
      ['GPU'],
    );
  });

  test('everything granted: nothing missing', () => {
    const cmp = compareGrant(asked, asked.map(({ name, value, unit }) => ({ name, value, unit })));
    assert.equal(cmp.granted.length, 3);
    assert.equal(cmp.missingRequired.length + cmp.missingOptional.length, 0);
  });

  test('describe', () => {
    assert.equal(describeEntitlement({ name: 'Seats', value: '1', unit: 'Count' }), 'Seats = 1 Count');
    assert.equal(describeEntitlement({ name: 'Premium', unit: 'None' }), 'Premium (feature)');
    assert.equal(describeEntitlement({ name: 'Premium', value: 'Enabled', unit: 'None' }), 'Premium = Enabled');
    assert.equal(describeEntitlement({ name: 'Premium', value: '', unit: 'None' }), 'Premium (feature)');
    assert.equal(describeEntitlement({ name: 'Storage', unit: 'Gigabytes' }), 'Storage Gigabytes');
  });
});

describe('parseEntitlements: properties', () => {
  const isRefusal = (text: string) => {
    try {
      const list = parseEntitlements(text);
      // A value: non-empty, unique names, canonical units, decimal values, or a feature (Unit None) without one.
      assert.ok(list.length > 0);
      assert.equal(new Set(list.map((e) => e.name)).size, list.length);
      for (const e of list) {
        assert.ok(UNITS.includes(e.unit));
        if (e.value === undefined) assert.equal(e.unit, 'None');
        else assert.match(e.value, /^\d+(\.\d+)?$/);
        assert.ok(e.name.length > 0 && e.name === e.name.trim());
      }
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      assert.equal(error.input, 'entitlements');
      assert.ok(error.message.startsWith("Input 'entitlements': "));
    }
  };

  test('any string is a valid list or an InputError naming the input', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), isRefusal), { numRuns: 2000 });
  });

  test('strings shaped like the grammar too', () => {
    const piece = fc.constantFrom('=', ' ', '\n', '\r\n', '#', '(optional)', '1', '0', '-2', '1.5', 'Count', 'gigabytes', 'Seats', 'A B', '[', ']', '{', '}', '"', ',', ':', 'Name', 'Value', 'Unit', 'Optional', 'true', 'null', '__proto__');
    const text = fc.array(piece, { maxLength: 30 }).map((a) => a.join(''));
    fc.assert(fc.property(text, isRefusal), { numRuns: 3000 });
  });

  test('JSON arrays of arbitrary values', () => {
    fc.assert(fc.property(fc.array(fc.jsonValue(), { maxLength: 4 }), (a) => isRefusal(JSON.stringify(a))), { numRuns: 1000 });
  });

  test('a well-formed line round-trips', () => {
    const name = fc.stringMatching(/^[A-Za-z][A-Za-z0-9 _.-]{0,30}[A-Za-z0-9]$/);
    fc.assert(
      fc.property(name, fc.integer({ min: 1, max: 1_000_000 }), fc.constantFrom(...UNITS), fc.boolean(), (n, v, u, optional) => {
        const line = `${n} = ${v} ${u.toUpperCase()}${optional ? ' (optional)' : ''}`;
        assert.deepEqual(parseEntitlements(line), [{ name: n, value: String(v), unit: u, optional }]);
      }),
    );
  });
});
