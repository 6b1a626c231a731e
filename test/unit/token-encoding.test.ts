import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeBase64url, encodeBase64url } from '../../src/token/base64url.js';
import { parseCompactJws } from '../../src/token/compact-jws.js';
import { findDuplicateMember, parseJsonObject } from '../../src/token/strict-json.js';

const bytes = (text: string) => Buffer.from(text);

describe('decodeBase64url', () => {
  test('decodes canonical unpadded base64url', () => {
    assert.equal(decodeBase64url(encodeBase64url('any carnal pleas'))?.toString(), 'any carnal pleas');
    assert.equal(decodeBase64url('_-8')?.toString('hex'), 'ffef');
    assert.equal(decodeBase64url('')?.length, 0);
  });
  test('refuses padding, the standard alphabet, whitespace, impossible lengths and stray bits', () => {
    // 'YR' and 'YWJ' decode to the same bytes as 'YQ' and 'YWI' under a lenient decoder
    for (const text of ['YQ==', 'YQ=', 'a+b/', 'YW Jj', 'YWJj\n', 'A', 'YR', 'YWJ', 'é']) {
      assert.equal(decodeBase64url(text), undefined, text);
    }
  });
});

describe('findDuplicateMember / parseJsonObject', () => {
  test('finds duplicates at any depth, even spelled with escapes', () => {
    assert.equal(findDuplicateMember('{"a":1,"a":2}'), 'a');
    assert.equal(findDuplicateMember('{"a":{"b":1,"b":2}}'), 'b');
    assert.equal(findDuplicateMember('{"x":[{"c":1},{"c":1,"d":"c","c":3}]}'), 'c');
    assert.equal(findDuplicateMember('{"a":1,"\\u0061":2}'), 'a');
  });
  test('does not confuse values, arrays or sibling objects with members', () => {
    assert.equal(findDuplicateMember('{"a":"a","b":["a","a"],"c":{"a":1},"d":{"a":1}}'), undefined);
    assert.equal(findDuplicateMember('{"a\\"b":1,"a":{"\\\\":1},"b":2}'), undefined);
  });
  test('answers an object or the problem', () => {
    assert.deepEqual(parseJsonObject(bytes('{"alg":"PS384"}')), { object: { alg: 'PS384' } });
    assert.deepEqual(parseJsonObject(bytes('[1]')), { problem: 'is JSON array, not an object' });
    assert.deepEqual(parseJsonObject(bytes('null')), { problem: 'is JSON null, not an object' });
    assert.deepEqual(parseJsonObject(bytes('{')), { problem: 'is not JSON' });
    assert.deepEqual(parseJsonObject(Buffer.from([0x22, 0xc3, 0x22])), { problem: 'is not valid UTF-8' });
    assert.deepEqual(parseJsonObject(bytes('{"a":1,"a":1}')), { problem: 'has a duplicate member', duplicate: 'a' });
  });
  test('a __proto__ member stays an own member and does not change the prototype', () => {
    const parsed = parseJsonObject(bytes('{"__proto__":{"alg":"none"}}'));
    assert.ok('object' in parsed);
    assert.equal(Object.getPrototypeOf(parsed.object), Object.prototype);
  });
});

describe('parseCompactJws', () => {
  const header = encodeBase64url('{"alg":"PS384"}');
  test('splits and decodes, trimming surrounding whitespace only', () => {
    const jws = parseCompactJws(`  ${header}.${encodeBase64url('{}')}.AQID\n`);
    assert.ok(!('valid' in jws));
    assert.deepEqual(jws.header, { alg: 'PS384' });
    assert.deepEqual([...jws.signature], [1, 2, 3]);
    assert.equal(jws.compact, `${header}.${encodeBase64url('{}')}.AQID`);
  });
  test('refuses non-strings and oversized headers', () => {
    assert.equal((parseCompactJws(42) as { code: string }).code, 'token-malformed');
    const big = encodeBase64url(JSON.stringify({ alg: 'PS384', kid: 'k'.repeat(5000) }));
    assert.equal((parseCompactJws(`${big}.e30.AQID`) as { code: string }).code, 'header-invalid');
  });
});
