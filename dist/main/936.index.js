export const id = 936;
export const ids = [936];
export const modules = {

/***/ 7936:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  verifyBorrowedToken: () => (/* binding */ verifyBorrowedToken)
});

;// CONCATENATED MODULE: ./src/token/refusal.ts
function refuse(code, reason) {
    return { valid: false, code, reason };
}
function isRefusal(value) {
    return typeof value === 'object' && value !== null && value.valid === false;
}
const MAX_QUOTED = 80;
/**
 * Quotes a value that came from the token for use in a reason. JSON escaping keeps newlines and
 * control characters out of log lines (where they could start a workflow command), and the
 * length cap keeps a hostile claim from flooding the log.
 */
function quote(value) {
    const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
    const short = text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED)}…` : text;
    return JSON.stringify(short);
}

// EXTERNAL MODULE: ./node_modules/jose/dist/webapi/jws/compact/verify.js + 8 modules
var verify = __webpack_require__(900);
;// CONCATENATED MODULE: ./src/token/base64url.ts
const ALPHABET = /^[A-Za-z0-9_-]*$/;
/**
 * Decodes base64url as RFC 7515 requires it: no padding, no whitespace, no `+` or `/`, and in
 * canonical form. Buffer's own decoder skips what it does not understand and ignores stray
 * trailing bits, so two different texts could decode to the same bytes; the round trip refuses
 * every text but the one encoding of those bytes.
 */
function decodeBase64url(text) {
    if (!ALPHABET.test(text) || text.length % 4 === 1)
        return undefined;
    const bytes = Buffer.from(text, 'base64url');
    return bytes.toString('base64url') === text ? bytes : undefined;
}
function encodeBase64url(bytes) {
    return Buffer.from(bytes).toString('base64url');
}

;// CONCATENATED MODULE: ./src/token/strict-json.ts
const utf8 = new TextDecoder('utf-8', { fatal: true });
/**
 * Parses UTF-8 bytes that must hold one JSON object. JSON.parse keeps the last of two members
 * with the same name, so a token could show one value to this verifier and another to a
 * different parser; duplicates are refused instead.
 */
function parseJsonObject(bytes) {
    let text;
    try {
        text = utf8.decode(bytes);
    }
    catch {
        return { problem: 'is not valid UTF-8' };
    }
    let value;
    try {
        value = JSON.parse(text);
    }
    catch {
        return { problem: 'is not JSON' };
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        return { problem: `is JSON ${Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value}, not an object` };
    }
    const duplicate = findDuplicateMember(text);
    if (duplicate !== undefined)
        return { problem: 'has a duplicate member', duplicate };
    return { object: value };
}
/**
 * The first member name that appears twice in one object of `text`, which must already be valid
 * JSON. Walks the text once with a stack of the names seen per open object (null for arrays).
 */
function findDuplicateMember(text) {
    const open = [];
    let expectName = false;
    for (let i = 0; i < text.length; i++) {
        const c = text[i];
        if (c === '"') {
            const end = endOfString(text, i);
            const names = open.at(-1);
            if (names && expectName) {
                const name = JSON.parse(text.slice(i, end + 1));
                if (names.has(name))
                    return name;
                names.add(name);
                expectName = false;
            }
            i = end;
        }
        else if (c === '{') {
            open.push(new Set());
            expectName = true;
        }
        else if (c === '[') {
            open.push(null);
        }
        else if (c === '}' || c === ']') {
            open.pop();
        }
        else if (c === ',') {
            expectName = Boolean(open.at(-1));
        }
    }
    return undefined;
}
function endOfString(text, start) {
    let i = start + 1;
    while (i < text.length && text[i] !== '"')
        i += text[i] === '\\' ? 2 : 1;
    return i;
}
/** Reads a member only if the object itself has it (never one inherited from Object.prototype). */
function own(object, name) {
    return Object.hasOwn(object, name) ? object[name] : undefined;
}

;// CONCATENATED MODULE: ./src/token/compact-jws.ts



/** Far above any License Manager token (a few KiB), far below what could hurt to parse. */
const MAX_TOKEN_CHARS = 64 * 1024;
const MAX_HEADER_CHARS = 4 * 1024;
const SEGMENT_NAMES = ['header', 'payload', 'signature'];
/**
 * Splits a JWS compact serialization and decodes its parts strictly. The payload is only decoded
 * to bytes here: nothing in it is read before the signature is checked.
 */
function parseCompactJws(token) {
    if (typeof token !== 'string')
        return refuse('token-malformed', `the token is a ${typeof token}, not a string`);
    const compact = token.trim();
    if (compact === '')
        return refuse('token-malformed', 'the token is empty');
    if (compact.length > MAX_TOKEN_CHARS) {
        return refuse('token-too-large', `the token is ${compact.length} characters; at most ${MAX_TOKEN_CHARS} are accepted`);
    }
    const segments = compact.split('.');
    if (segments.length !== 3) {
        const hint = segments.length === 5 ? ' (5 is an encrypted JWE, not a signed token)' : '';
        return refuse('token-malformed', `the token has ${segments.length} segments${hint}; a signed token has 3 (header.payload.signature)`);
    }
    const decoded = [];
    for (const [i, segment] of segments.entries()) {
        const name = SEGMENT_NAMES[i];
        if (segment === '')
            return refuse(name === 'signature' ? 'signature-invalid' : 'token-malformed', `the ${name} segment is empty`);
        const bytes = decodeBase64url(segment);
        if (!bytes)
            return refuse('token-not-base64url', `the ${name} segment is not unpadded base64url`);
        decoded.push(bytes);
    }
    const [header, payload, signature] = decoded;
    if (segments[0].length > MAX_HEADER_CHARS) {
        return refuse('header-invalid', `the header is ${segments[0].length} characters; at most ${MAX_HEADER_CHARS} are accepted`);
    }
    const parsed = parseJsonObject(header);
    if ('problem' in parsed) {
        return parsed.duplicate === undefined
            ? refuse('header-invalid', `the header ${parsed.problem}`)
            : refuse('duplicate-member', `the header has the member ${JSON.stringify(parsed.duplicate.slice(0, 80))} twice`);
    }
    return { compact, header: parsed.object, payload, signature };
}

;// CONCATENATED MODULE: ./src/token/decimal.ts
const DECIMAL = /^\d+(?:\.\d+)?$/;
/**
 * A non-negative decimal as text, from the string or number a token carries; undefined for
 * anything else. Numbers are expanded out of exponent notation so they compare like strings do.
 */
function toDecimal(value) {
    if (typeof value === 'string')
        return DECIMAL.test(value) ? value : undefined;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
        return undefined;
    const [mantissa, exponent] = String(value).split('e');
    if (exponent === undefined)
        return mantissa;
    const digits = mantissa.replace('.', '');
    const point = (mantissa.includes('.') ? mantissa.indexOf('.') : mantissa.length) + Number(exponent);
    if (point <= 0)
        return `0.${'0'.repeat(-point)}${digits}`;
    if (point >= digits.length)
        return digits + '0'.repeat(point - digits.length);
    return `${digits.slice(0, point)}.${digits.slice(point)}`;
}
/**
 * Compares two non-negative decimals exactly (no floating point: '0.30000000000000001' is more
 * than '0.3'). Returns a negative number, zero or a positive number, like a sort comparator.
 */
function compareDecimals(a, b) {
    const [aInt, aFrac] = split(a);
    const [bInt, bFrac] = split(b);
    if (aInt.length !== bInt.length)
        return aInt.length - bInt.length;
    if (aInt !== bInt)
        return aInt < bInt ? -1 : 1;
    const width = Math.max(aFrac.length, bFrac.length);
    const [x, y] = [aFrac.padEnd(width, '0'), bFrac.padEnd(width, '0')];
    return x === y ? 0 : x < y ? -1 : 1;
}
function split(decimal) {
    const [int = '', frac = ''] = decimal.split('.');
    return [int.replace(/^0+(?=\d)/, ''), frac];
}

;// CONCATENATED MODULE: ./src/token/expectations.ts


/** Holds the verified claims against what the caller requires; the first shortfall is the reason. */
function checkExpectations(claims, expected) {
    if (expected.licenseArn !== undefined && claims.licenseArn !== expected.licenseArn) {
        return refuse('license-arn-mismatch', `the token is for license ${quote(claims.licenseArn)}, not ${quote(expected.licenseArn)}`);
    }
    if (expected.nodeId !== undefined && claims.nodeId !== expected.nodeId) {
        const actual = claims.nodeId === undefined ? 'names no node' : `is for node ${quote(claims.nodeId)}`;
        return refuse('node-id-mismatch', `the token ${actual}, not ${quote(expected.nodeId)}`);
    }
    for (const asked of expected.entitlements ?? []) {
        if (asked.optional)
            continue;
        const problem = checkEntitlement(claims, asked);
        if (problem)
            return problem;
    }
    return undefined;
}
function checkEntitlement(claims, asked) {
    const granted = claims.entitlementsAllowed.find((e) => e.name === asked.name);
    const wanted = `${asked.value} ${asked.unit}`;
    if (!granted) {
        const names = claims.entitlementsAllowed.map((e) => quote(e.name)).join(', ') || 'none';
        return refuse('entitlement-missing', `the token grants no ${quote(asked.name)} (${wanted} required); it grants ${names}`);
    }
    if (granted.unit !== asked.unit) {
        return refuse('entitlement-unit-mismatch', `the token grants ${quote(asked.name)} in ${quote(granted.unit)}, but ${wanted} is required`);
    }
    if (granted.value === undefined || compareDecimals(granted.value, asked.value) < 0) {
        const has = granted.value === undefined ? 'no value' : `${granted.value} ${granted.unit}`;
        return refuse('entitlement-insufficient', `the token grants ${quote(asked.name)} ${has}; ${wanted} is required`);
    }
    return undefined;
}

;// CONCATENATED MODULE: ./src/token/header-policy.ts


/** What License Manager signs with (KMS RSASSA_PSS_SHA_384); nothing else is ever accepted. */
const ALGORITHM = 'PS384';
/** Header members that name a key or certificate: the key must come from the verifier's input only. */
const KEY_REFERENCES = ['jku', 'x5u', 'jwk', 'x5c'];
/**
 * Members that change how the token is read (RFC 7797 unencoded payloads; compression is JWE's,
 * never JWS's). Their presence means the signer meant something this verifier does not do.
 */
const READING_CHANGES = ['b64', 'zip'];
/** Refuses a protected header that asks for anything beyond a plain PS384 signature. */
function checkProtectedHeader(header) {
    const alg = own(header, 'alg');
    if (alg !== ALGORITHM) {
        const actual = alg === undefined ? 'the header has no alg' : `the header alg is ${quote(alg)}`;
        return refuse('alg-not-allowed', `${actual}; only ${ALGORITHM} is accepted`);
    }
    if (Object.hasOwn(header, 'crit')) {
        return refuse('crit-not-allowed', `the header lists critical extensions (crit ${quote(own(header, 'crit'))}); none are supported`);
    }
    const reference = KEY_REFERENCES.find((name) => Object.hasOwn(header, name));
    if (reference) {
        return refuse('key-reference-not-allowed', `the header carries ${reference}; the key comes only from the verifier's public key`);
    }
    const reading = READING_CHANGES.find((name) => Object.hasOwn(header, name));
    if (reading)
        return refuse('header-param-not-allowed', `the header carries ${reading}, which this verifier does not support`);
    for (const name of ['kid', 'typ', 'cty']) {
        const value = own(header, name);
        if (value !== undefined && typeof value !== 'string')
            return refuse('header-invalid', `the header ${name} is not a string`);
    }
    return undefined;
}

// EXTERNAL MODULE: ./src/token/iso-time.ts
var iso_time = __webpack_require__(8128);
// EXTERNAL MODULE: ./src/arn.ts
var arn = __webpack_require__(8564);
;// CONCATENATED MODULE: ./src/token/license-claims.ts





const MAX_ENTITLEMENTS = 1000;
const MAX_TEXT = 2048;
/** The range a Date can hold (±100,000,000 days). */
const MAX_EPOCH_SECONDS = 8.64e12;
/** Reads and types the claims; every claim AWS always sends is required. */
function readLicenseClaims(payload) {
    const licenseArn = requiredString(payload, 'licenseArn');
    if (typeof licenseArn !== 'string')
        return licenseArn;
    if (!arn/* LICENSE_ARN */.G.test(licenseArn))
        return invalid('licenseArn', `${quote(licenseArn)} is not a License Manager license ARN`);
    const licenseConsumptionToken = requiredString(payload, 'licenseConsumptionToken');
    if (typeof licenseConsumptionToken !== 'string')
        return licenseConsumptionToken;
    const entitlementsAllowed = readEntitlements(own(payload, 'entitlementsAllowed'));
    if (!Array.isArray(entitlementsAllowed))
        return entitlementsAllowed;
    const nodeId = own(payload, 'nodeId');
    if (nodeId !== undefined && (typeof nodeId !== 'string' || nodeId.length > MAX_TEXT))
        return invalid('nodeId', 'is not a string');
    const issuedAt = requiredTime(payload, 'issuedAt');
    if (!(issuedAt instanceof Date))
        return issuedAt;
    const expiration = requiredTime(payload, 'expiration');
    if (!(expiration instanceof Date))
        return expiration;
    const checkoutMetadata = readMetadata(own(payload, 'checkoutMetadata'));
    if (isRefusal(checkoutMetadata))
        return checkoutMetadata;
    const standard = {};
    for (const name of ['exp', 'nbf', 'iat']) {
        const value = own(payload, name);
        if (value === undefined)
            continue;
        if (typeof value !== 'number' || !(Math.abs(value) <= MAX_EPOCH_SECONDS)) {
            return invalid(name, 'is not a number of seconds since the epoch');
        }
        standard[name] = value;
    }
    return {
        licenseArn,
        licenseConsumptionToken,
        entitlementsAllowed,
        ...(nodeId === undefined ? {} : { nodeId }),
        issuedAt,
        expiration,
        ...(checkoutMetadata ? { checkoutMetadata } : {}),
        ...standard,
    };
}
function invalid(claim, problem) {
    return refuse('claim-invalid', `the claim ${claim} ${problem}`);
}
function requiredString(payload, name) {
    const value = own(payload, name);
    if (value === undefined)
        return refuse('claim-missing', `the token has no ${name} claim`);
    if (typeof value !== 'string' || value === '' || value.length > MAX_TEXT)
        return invalid(name, 'is not a non-empty string');
    return value;
}
function requiredTime(payload, name) {
    const text = requiredString(payload, name);
    if (typeof text !== 'string')
        return text;
    return (0,iso_time/* parseIsoTime */.s)(text) ?? invalid(name, `${quote(text)} is not an ISO 8601 date-time`);
}
function readEntitlements(value) {
    if (value === undefined)
        return refuse('claim-missing', 'the token has no entitlementsAllowed claim');
    if (!Array.isArray(value))
        return invalid('entitlementsAllowed', 'is not an array');
    if (value.length > MAX_ENTITLEMENTS)
        return invalid('entitlementsAllowed', `lists more than ${MAX_ENTITLEMENTS} entitlements`);
    const out = [];
    const names = new Set();
    for (const [i, item] of value.entries()) {
        const where = `entitlementsAllowed[${i}]`;
        if (typeof item !== 'object' || item === null || Array.isArray(item))
            return invalid(where, 'is not an object');
        const entry = item;
        const name = own(entry, 'name');
        const unit = own(entry, 'unit');
        const raw = own(entry, 'value');
        if (typeof name !== 'string' || name === '' || name.length > MAX_TEXT)
            return invalid(`${where}.name`, 'is not a non-empty string');
        if (typeof unit !== 'string' || unit === '' || unit.length > MAX_TEXT)
            return invalid(`${where}.unit`, 'is not a non-empty string');
        const decimal = raw === undefined ? undefined : toDecimal(raw);
        if (raw !== undefined && decimal === undefined)
            return invalid(`${where}.value`, `${quote(raw)} is not a non-negative decimal`);
        // Two grants under one name would make "at least N" ambiguous.
        if (names.has(name))
            return invalid('entitlementsAllowed', `lists ${quote(name)} twice`);
        names.add(name);
        out.push(decimal === undefined ? { name, unit } : { name, value: decimal, unit });
    }
    return out;
}
function readMetadata(value) {
    if (value === undefined)
        return undefined;
    const ok = typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'string');
    return ok ? value : invalid('checkoutMetadata', 'is not an object of strings');
}

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(1455);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
;// CONCATENATED MODULE: ./src/token/state-file.ts





/**
 * The state file remembers the newest time a verification on this machine has seen, so that a
 * clock set back (to revive an expired token on a self-hosted runner) is noticed.
 * Format: `{"newestSeen":"2025-01-01T00:00:00Z"}`. A missing or empty file means nothing seen yet.
 */
async function readNewestSeen(path) {
    let text;
    try {
        text = await (0,promises_.readFile)(path, 'utf8');
    }
    catch (error) {
        if (error.code === 'ENOENT')
            return undefined;
        return refuse('state-file-error', `the state file ${path} cannot be read (${error.code ?? 'error'})`);
    }
    if (text.trim() === '')
        return undefined;
    try {
        const seen = JSON.parse(text).newestSeen;
        const date = typeof seen === 'string' ? (0,iso_time/* parseIsoTime */.s)(seen) : undefined;
        if (date)
            return date;
    }
    catch {
        // reported below, like any other unreadable content
    }
    // Failing closed: deleting the file is the only way to forget, and that is an explicit act.
    return refuse('state-file-error', `the state file ${path} is not {"newestSeen": "<ISO 8601 time>"}; delete it to start afresh`);
}
/**
 * Records the newest time seen, atomically (a reader sees the old or the new file, never half of
 * one) and readable by the owner only.
 */
async function recordNewestSeen(path, time) {
    const temporary = (0,external_node_path_.join)((0,external_node_path_.dirname)(path), `.${(0,external_node_path_.basename)(path)}.${(0,external_node_crypto_.randomBytes)(6).toString('hex')}.tmp`);
    try {
        await (0,promises_.mkdir)((0,external_node_path_.dirname)(path), { recursive: true });
        await (0,promises_.writeFile)(temporary, `${JSON.stringify({ newestSeen: (0,iso_time/* formatIsoTime */.K)(time) })}\n`, { mode: 0o600, flag: 'wx' });
        await (0,promises_.rename)(temporary, path);
        return undefined;
    }
    catch (error) {
        await (0,promises_.rm)(temporary, { force: true }).catch(() => undefined);
        return refuse('state-file-error', `the state file ${path} cannot be written (${error.code ?? 'error'})`);
    }
}

;// CONCATENATED MODULE: ./src/token/validity.ts


/**
 * Judges the token's validity window. With n = now, s = skew, w = newest time seen:
 * - refused if expiration ≤ issuedAt (a window that cannot contain any instant);
 * - refused if n < w − s: the clock was set back, and every time judgement after it is suspect;
 * - refused if issuedAt (or iat) > n + s, or nbf > n + s: not valid yet;
 * - refused if max(n, w) > expiration (or exp) + s: expired. Judging against max(n, w) means a
 *   clock set back within the skew still cannot revive a token that had expired.
 * A token issued before w stays acceptable: the same borrowed token is verified again and again
 * over its life, so only the current time, not the token's age, is held against the watermark.
 */
function checkValidity(claims, clock) {
    const { issuedAt, expiration } = claims;
    const now = clock.now.getTime();
    const skew = clock.skewMs;
    const at = (ms) => (0,iso_time/* formatIsoTime */.K)(new Date(ms));
    if (expiration.getTime() <= issuedAt.getTime()) {
        return refuse('expiration-before-issued', `the token expires (${at(+expiration)}) no later than it was issued (${at(+issuedAt)})`);
    }
    const newest = clock.newestSeen?.getTime();
    if (newest !== undefined && now < newest - skew) {
        return refuse('clock-set-back', `the clock reads ${at(now)}, earlier than ${at(newest)} recorded in the state file: it was set back`);
    }
    const latest = Math.max(now, newest ?? now);
    const starts = [['issuedAt', +issuedAt], ['iat', seconds(claims.iat)]];
    for (const [name, time] of starts) {
        if (time !== undefined && time > now + skew) {
            return refuse('issued-in-future', `the token's ${name} is ${at(time)}, later than now (${at(now)}) plus the clock skew allowance`);
        }
    }
    const nbf = seconds(claims.nbf);
    if (nbf !== undefined && nbf > now + skew) {
        return refuse('not-yet-valid', `the token is not valid before ${at(nbf)} (nbf); it is ${at(now)}`);
    }
    const ends = [['expiration', +expiration], ['exp', seconds(claims.exp)]];
    for (const [name, time] of ends) {
        if (time !== undefined && latest > time + skew) {
            const when = latest === now ? `it is ${at(now)}` : `the state file has seen ${at(latest)}`;
            return refuse('expired', `the token expired at ${at(time)} (${name}); ${when}`);
        }
    }
    return undefined;
}
function seconds(value) {
    return value === undefined ? undefined : value * 1000;
}

;// CONCATENATED MODULE: ./src/token/verify-token.ts










/**
 * Verifies a License Manager borrowed token against an RSA public key (see importPublicKey).
 * Order matters: structure and header first, then the signature, and only then is anything in
 * the payload read. Never throws for a bad token.
 */
async function verify_token_verifyToken(token, key, policy) {
    const jws = parseCompactJws(token);
    if (isRefusal(jws))
        return jws;
    const headerProblem = checkProtectedHeader(jws.header);
    if (headerProblem)
        return headerProblem;
    if (!(await signatureVerifies(jws.compact, key))) {
        return refuse('signature-invalid', `the signature does not verify with the given public key (${ALGORITHM})`);
    }
    const payload = parseJsonObject(jws.payload);
    if ('problem' in payload) {
        return payload.duplicate === undefined
            ? refuse('payload-invalid', `the payload ${payload.problem}`)
            : refuse('duplicate-member', `the payload has the member ${JSON.stringify(payload.duplicate.slice(0, 80))} twice`);
    }
    const claims = readLicenseClaims(payload.object);
    if (isRefusal(claims))
        return claims;
    const newestSeen = policy.stateFile === undefined ? undefined : await readNewestSeen(policy.stateFile);
    if (isRefusal(newestSeen))
        return newestSeen;
    const problem = checkValidity(claims, { now: policy.now, skewMs: policy.clockSkewMs, ...(newestSeen ? { newestSeen } : {}) }) ??
        checkExpectations(claims, policy);
    if (problem)
        return problem;
    if (policy.stateFile !== undefined) {
        const newest = Math.max(policy.now.getTime(), claims.issuedAt.getTime(), newestSeen?.getTime() ?? 0);
        const unrecorded = await recordNewestSeen(policy.stateFile, new Date(newest));
        if (unrecorded)
            return unrecorded;
    }
    return { valid: true, code: 'valid', reason: `the token is valid until ${(0,iso_time/* formatIsoTime */.K)(claims.expiration)}`, claims };
}
async function signatureVerifies(compact, key) {
    try {
        // jose re-checks alg and crit itself; the header policy above has already said why it would refuse.
        await (0,verify/* compactVerify */.B)(compact, key, { algorithms: [ALGORITHM] });
        return true;
    }
    catch {
        return false;
    }
}

// EXTERNAL MODULE: ./src/duration.ts
var duration = __webpack_require__(7607);
// EXTERNAL MODULE: ./src/entitlements.ts + 1 modules
var entitlements = __webpack_require__(7103);
// EXTERNAL MODULE: ./src/input-error.ts
var input_error = __webpack_require__(6236);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
;// CONCATENATED MODULE: ./src/token/key-source.ts

/** An ASN.1 SEQUENCE, as every DER key starts. */
const DER_SEQUENCE = 0x30;
const MAX_FILE_BYTES = 64 * 1024;
/**
 * The key an input names: the text itself when it looks like a key (PEM or JWK), otherwise the
 * file at that path when there is one (read as raw DER or as text), otherwise the text (base64
 * DER, or garbage that importPublicKey will explain).
 */
function readKeyInput(value) {
    const text = value.trim();
    if (text.startsWith('-----BEGIN ') || text.startsWith('{'))
        return text;
    let bytes;
    try {
        if (!(0,external_node_fs_.statSync)(text).isFile() || (0,external_node_fs_.statSync)(text).size > MAX_FILE_BYTES)
            return text;
        bytes = (0,external_node_fs_.readFileSync)(text);
    }
    catch {
        return text;
    }
    return bytes[0] === DER_SEQUENCE ? bytes : bytes.toString('utf8');
}

;// CONCATENATED MODULE: ./src/token/public-key.ts



const MIN_BITS = 2048;
/** KMS goes up to 4096; far larger keys only make each verification slow. */
const MAX_BITS = 16384;
const MAX_KEY_CHARS = 64 * 1024;
const BASE64 = /^[A-Za-z0-9+/\s]+={0,2}\s*$/;
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth'];
/**
 * Turns the verifier's key input into an RSA public KeyObject. Accepted: PEM (`PUBLIC KEY`,
 * `RSA PUBLIC KEY`, or a certificate), an RSA JWK, base64 DER SubjectPublicKeyInfo (what KMS
 * GetPublicKey returns), raw DER bytes, or a KeyObject. Never throws; never echoes the input,
 * which could be a private key pasted by mistake.
 */
function importPublicKey(input) {
    try {
        const key = parse(input);
        return key instanceof external_node_crypto_.KeyObject ? checkRsa(key) : key;
    }
    catch {
        return refuse('key-invalid', 'the public key could not be read');
    }
}
function parse(input) {
    if (input instanceof external_node_crypto_.KeyObject)
        return input.type === 'private' ? privateKey() : input;
    if (input instanceof Uint8Array)
        return fromDer(Buffer.from(input));
    if (typeof input !== 'string')
        return refuse('key-invalid', `the public key is a ${typeof input}, not text`);
    const text = input.trim();
    if (text === '')
        return refuse('key-invalid', 'the public key is empty');
    if (text.length > MAX_KEY_CHARS)
        return refuse('key-invalid', `the public key is longer than ${MAX_KEY_CHARS} characters`);
    if (text.startsWith('-----BEGIN '))
        return fromPem(text);
    if (text.startsWith('{'))
        return fromJwk(text);
    if (BASE64.test(text))
        return fromDer(Buffer.from(text, 'base64'));
    return refuse('key-invalid', 'the public key is not PEM, a JWK, or base64 DER');
}
function fromPem(text) {
    const label = /^-----BEGIN ([A-Z0-9 ]+)-----/.exec(text)?.[1] ?? '';
    if (label.includes('PRIVATE'))
        return privateKey();
    try {
        return (0,external_node_crypto_.createPublicKey)(text);
    }
    catch {
        return refuse('key-invalid', `the PEM (${label || 'unlabelled'}) does not hold a public key`);
    }
}
function fromJwk(text) {
    let jwk;
    try {
        jwk = JSON.parse(text);
    }
    catch {
        return refuse('key-invalid', 'the public key starts with { but is not JSON');
    }
    if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk))
        return refuse('key-invalid', 'the JWK is not a JSON object');
    const members = jwk;
    if (Object.hasOwn(members, 'keys'))
        return refuse('key-invalid', 'the public key is a JWK Set; give the one key');
    if (members.kty !== 'RSA')
        return refuse('key-not-rsa', `the JWK kty is ${quote(members.kty ?? 'missing')}; an RSA key is required`);
    if (PRIVATE_JWK_MEMBERS.some((name) => Object.hasOwn(members, name)))
        return privateKey();
    if (members.alg !== undefined && members.alg !== ALGORITHM) {
        return refuse('key-invalid', `the JWK is for alg ${quote(members.alg)}; the key must be usable with ${ALGORITHM}`);
    }
    if (members.use !== undefined && members.use !== 'sig')
        return refuse('key-invalid', `the JWK use is ${quote(members.use)}, not "sig"`);
    try {
        return (0,external_node_crypto_.createPublicKey)({ key: members, format: 'jwk' });
    }
    catch {
        return refuse('key-invalid', 'the JWK is not a valid RSA public key');
    }
}
function fromDer(der) {
    for (const type of ['spki', 'pkcs1']) {
        try {
            return (0,external_node_crypto_.createPublicKey)({ key: der, format: 'der', type });
        }
        catch {
            // try the next encoding
        }
    }
    return refuse('key-invalid', 'the public key is neither PEM, a JWK, nor DER (SubjectPublicKeyInfo or PKCS#1) of an RSA public key');
}
function checkRsa(key) {
    if (key.type !== 'public')
        return refuse('key-not-rsa', `the key is a ${key.type} key, not an RSA public key`);
    if (key.asymmetricKeyType !== 'rsa') {
        return refuse('key-not-rsa', `the key is ${quote(key.asymmetricKeyType ?? 'unknown')}; ${ALGORITHM} needs an RSA key`);
    }
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < MIN_BITS)
        return refuse('key-too-small', `the RSA key has ${bits} bits; at least ${MIN_BITS} are required`);
    if (bits > MAX_BITS)
        return refuse('key-invalid', `the RSA key has ${bits} bits; at most ${MAX_BITS} are accepted`);
    return key;
}
function privateKey() {
    return refuse('key-is-private', 'the key given is a private key; give only the public key (and rotate the private one if it was exposed)');
}
/** The key as PEM SubjectPublicKeyInfo, to print for users to pin. */
function toPem(key) {
    return key.export({ type: 'spki', format: 'pem' }).toString().trim();
}

;// CONCATENATED MODULE: ./src/verify-action.ts










const DEFAULT_SKEW = '5m';
/** The verify sub-action: reads its inputs, verifies the token offline, reports. */
async function verifyAction(io, deps = {}) {
    try {
        const token = await readToken(io);
        const key = await verificationKey(io, deps);
        const policy = readPolicy(io, deps.now?.() ?? new Date());
        const failOnInvalid = readBoolean(io, 'fail-on-invalid', true);
        const result = await verifyToken(token, key, policy);
        await report(io, result, failOnInvalid);
    }
    catch (error) {
        io.setFailed(error instanceof InputError ? error.message : `Verification failed: ${error.message}`);
    }
}
/** The token, masked before anything else can print it. */
async function readToken(io) {
    const inline = io.getInput('token');
    if (inline)
        io.setSecret(inline);
    const path = io.getInput('token-file');
    if (inline && path)
        throw new InputError('token', 'give token or token-file, not both');
    if (inline)
        return inline;
    if (!path)
        throw new InputError('token', 'is required (or token-file)');
    let text;
    try {
        text = (await readFile(path, 'utf8')).trim();
    }
    catch (error) {
        throw new InputError('token-file', `cannot read ${path} (${error.code ?? 'error'})`);
    }
    if (text)
        io.setSecret(text);
    return text;
}
async function verificationKey(io, deps) {
    const publicKey = io.getInput('public-key');
    const kmsKeyId = io.getInput('kms-key-id');
    if (publicKey && kmsKeyId)
        throw new InputError('public-key', 'give public-key or kms-key-id, not both');
    if (!publicKey && !kmsKeyId)
        throw new InputError('public-key', 'is required (or kms-key-id, to fetch it online)');
    return loadVerificationKey({ publicKey, kmsKeyId }, deps, (line) => io.info(line));
}
/**
 * The issuer's public key from `public-key` (inline or a file) or, online, from `kms-key-id`;
 * shared with the borrow mode of the root action. Problems are InputErrors naming the input.
 */
async function loadVerificationKey(source, deps = {}, log = () => undefined) {
    const input = source.publicKey ? 'public-key' : 'kms-key-id';
    const material = source.publicKey ? readKeyInput(source.publicKey) : await fetchKmsKey(source.kmsKeyId ?? '', deps);
    const key = importPublicKey(material);
    if (isRefusal(key))
        throw new input_error/* InputError */.d(input, `${key.reason} (${key.code})`);
    if (!source.publicKey)
        log(`Public key of ${source.kmsKeyId}; give it as public-key to verify without AWS:\n${toPem(key)}`);
    return key;
}
async function fetchKmsKey(keyId, deps) {
    const fetch = deps.fetchKmsPublicKey ?? (async (id) => (await Promise.all(/* import() */[__webpack_require__.e(632), __webpack_require__.e(402)]).then(__webpack_require__.bind(__webpack_require__, 9402))).fetchKmsPublicKey(id));
    try {
        return await fetch(keyId);
    }
    catch (error) {
        if (error instanceof input_error/* InputError */.d)
            throw error;
        throw new input_error/* InputError */.d('kms-key-id', `could not fetch the public key: ${error.message}`);
    }
}
function readPolicy(io, now) {
    const licenseArn = io.getInput('license-arn') || undefined;
    if (licenseArn !== undefined && !LICENSE_ARN.test(licenseArn)) {
        throw new InputError('license-arn', `'${licenseArn}' is not a License Manager license ARN`);
    }
    const nodeId = io.getInput('node-id') || undefined;
    const entitlementsText = io.getInput('entitlements');
    const stateFile = io.getInput('state-file') || undefined;
    return {
        now,
        clockSkewMs: parseDuration(io.getInput('clock-skew') || DEFAULT_SKEW, 'clock-skew'),
        ...(licenseArn ? { licenseArn } : {}),
        ...(nodeId ? { nodeId } : {}),
        ...(entitlementsText ? { entitlements: parseEntitlements(entitlementsText, 'entitlements') } : {}),
        ...(stateFile ? { stateFile } : {}),
    };
}
function readBoolean(io, name, fallback) {
    const text = io.getInput(name).toLowerCase();
    if (text === '')
        return fallback;
    if (text === 'true' || text === 'false')
        return text === 'true';
    throw new InputError(name, `'${io.getInput(name)}' is not true or false`);
}
async function report(io, result, failOnInvalid) {
    io.setOutput('valid', String(result.valid));
    io.setOutput('reason', result.reason);
    if (result.valid) {
        const { claims } = result;
        // The consumption token is a secret the payload carries; it is never output, but mask it anyway.
        io.setSecret(claims.licenseConsumptionToken);
        io.setOutput('license-arn', claims.licenseArn);
        io.setOutput('node-id', claims.nodeId ?? '');
        io.setOutput('entitlements', JSON.stringify(claims.entitlementsAllowed));
        io.setOutput('issued-at', formatIsoTime(claims.issuedAt));
        io.setOutput('expiration', formatIsoTime(claims.expiration));
        io.info(`License token verified: ${result.reason}.`);
    }
    else if (failOnInvalid) {
        io.setFailed(`License token refused (${result.code}): ${result.reason}.`);
    }
    else {
        io.warning(`License token refused (${result.code}): ${result.reason}.`);
    }
    await io.appendSummary(summary(result)).catch(() => undefined);
}
function summary(result) {
    const rows = [['Result', result.valid ? '✅ valid' : `❌ refused (\`${result.code}\`)`], ['Reason', result.reason]];
    if (result.valid) {
        const { claims } = result;
        rows.push(['License', claims.licenseArn], ['Node', claims.nodeId ?? '(none)'], ['Entitlements', claims.entitlementsAllowed.map((e) => `${e.name} = ${e.value ?? '-'} ${e.unit}`).join(', ')], ['Issued', formatIsoTime(claims.issuedAt)], ['Expires', formatIsoTime(claims.expiration)]);
    }
    return ['### License token verification', '', '| | |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${cell(v)} |`)].join('\n');
}
/** Claims come from the token: keep them from breaking out of a table cell or adding HTML. */
function cell(text) {
    return text.replace(/[|\\]/g, '\\$&').replace(/</g, '&lt;').replace(/\r?\n/g, ' ');
}

;// CONCATENATED MODULE: ./src/borrow-verify.ts



const SKEW_MS = 5 * 60_000;
/**
 * Borrow mode's immediate check, with the same code as the verify sub-action: the token just
 * returned must verify with the key the inputs name, for this license, node and entitlements.
 * Returns the reason it does not, or undefined.
 */
async function verifyBorrowedToken(token, inputs, nodeId, log) {
    if (!inputs.publicKey && !inputs.kmsKeyId)
        return undefined;
    const key = await loadVerificationKey({ publicKey: inputs.publicKey, kmsKeyId: inputs.kmsKeyId }, {}, log);
    const result = await verify_token_verifyToken(token, key, {
        now: new Date(),
        clockSkewMs: SKEW_MS,
        licenseArn: inputs.license.licenseArn,
        nodeId,
        entitlements: inputs.entitlements,
    });
    return isRefusal(result) ? `${result.reason} (${result.code})` : undefined;
}


/***/ })

};
