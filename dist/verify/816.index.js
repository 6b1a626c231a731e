export const id = 816;
export const ids = [816];
export const modules = {

/***/ 4816:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  fetchKmsPublicKey: () => (/* binding */ fetchKmsPublicKey)
});

// EXTERNAL MODULE: ./node_modules/@aws-sdk/client-kms/dist-cjs/index.js
var dist_cjs = __webpack_require__(2632);
// EXTERNAL MODULE: ./node_modules/@smithy/core/dist-cjs/submodules/retry/index.js
var retry = __webpack_require__(3609);
;// CONCATENATED MODULE: ./src/aws/client-config.ts

const DEFAULT_MAX_ATTEMPTS = 10;
const BACKOFF_BASE_MS = 200;
const BACKOFF_CAP_MS = 5_000;
/** Full jitter, exponential, capped: a fleet of throttled jobs spreads out instead of retrying in step. */
function fullJitterBackoff(attempt, random = Math.random) {
    return Math.floor(random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt));
}
/**
 * The static credentials a job usually has (configure-aws-credentials exports them), read as the
 * SDK's fromEnv reads them. Passing them directly spares every step the default provider chain's
 * module loading and resolution. AWS_PROFILE wins over them, as in the SDK's chain, so then the
 * chain is used.
 */
function envCredentials(env = process.env) {
    const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN, AWS_CREDENTIAL_EXPIRATION, AWS_PROFILE } = env;
    if (!accessKeyId || !secretAccessKey || AWS_PROFILE)
        return undefined;
    const expiration = AWS_CREDENTIAL_EXPIRATION ? new Date(AWS_CREDENTIAL_EXPIRATION) : undefined;
    return {
        accessKeyId,
        secretAccessKey,
        ...(AWS_SESSION_TOKEN ? { sessionToken: AWS_SESSION_TOKEN } : {}),
        ...(expiration && !Number.isNaN(expiration.getTime()) ? { expiration } : {}),
    };
}
/**
 * Settings shared by every client: the SDK's own retry strategy (throttling, 5xx, resets), bounded
 * request and connection times so a dead endpoint fails instead of hanging, and the standard
 * AWS_ENDPOINT_URL* variables (read by the SDK itself) for the emulator.
 */
function clientConfig(settings) {
    const fromEnv = Number(process.env.AWS_MAX_ATTEMPTS);
    const maxAttempts = settings.maxAttempts ?? (Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : DEFAULT_MAX_ATTEMPTS);
    return {
        region: settings.region,
        credentials: settings.credentials ?? envCredentials(),
        retryStrategy: new retry.ConfiguredRetryStrategy(maxAttempts, (attempt) => fullJitterBackoff(attempt)),
        requestHandler: { connectionTimeout: 5_000, requestTimeout: 15_000 },
    };
}

// EXTERNAL MODULE: ./src/input-error.ts
var input_error = __webpack_require__(6236);
;// CONCATENATED MODULE: ./src/token/kms-public-key.ts
// The only module of the verify path that loads the AWS SDK; verify-action imports it
// dynamically, and only for kms-key-id, so offline verification never pays for the SDK.



const PS384_IN_KMS = 'RSASSA_PSS_SHA_384';
/** Fetches the DER SubjectPublicKeyInfo of a KMS signing key, and checks it can sign PS384. */
async function fetchKmsPublicKey(keyId, env = process.env) {
    const region = env.AWS_REGION || env.AWS_DEFAULT_REGION || /^arn:aws[a-z-]*:kms:([a-z0-9-]+):/.exec(keyId)?.[1];
    if (!region)
        throw new input_error/* InputError */.d('kms-key-id', 'needs AWS_REGION (or a key ARN, which names its region)');
    const client = new dist_cjs/* KMSClient */.pgq(clientConfig({ region, maxAttempts: 3 }));
    let answer;
    try {
        answer = await client.send(new dist_cjs/* GetPublicKeyCommand */.QSA({ KeyId: keyId }));
    }
    catch (error) {
        const { name, message } = error;
        throw new input_error/* InputError */.d('kms-key-id', `could not fetch the public key: ${name}: ${message}`);
    }
    finally {
        client.destroy();
    }
    if (answer.KeyUsage !== 'SIGN_VERIFY' || !answer.SigningAlgorithms?.includes(PS384_IN_KMS)) {
        throw new input_error/* InputError */.d('kms-key-id', `is a ${answer.KeySpec ?? 'key'} for ${answer.KeyUsage ?? 'an unknown use'}; an RSA signing key that supports ${PS384_IN_KMS} is required`);
    }
    if (!answer.PublicKey)
        throw new input_error/* InputError */.d('kms-key-id', 'GetPublicKey returned no public key');
    return answer.PublicKey;
}


/***/ })

};
