export const id = 402;
export const ids = [402];
export const modules = {

/***/ 9402:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   fetchKmsPublicKey: () => (/* binding */ fetchKmsPublicKey)
/* harmony export */ });
/* harmony import */ var _aws_sdk_client_kms__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(2632);
/* harmony import */ var _aws_client_config_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(6925);
/* harmony import */ var _input_error_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(6236);
// The only module of the verify path that loads the AWS SDK; verify-action imports it
// dynamically, and only for kms-key-id, so offline verification never pays for the SDK.



const PS384_IN_KMS = 'RSASSA_PSS_SHA_384';
/** Fetches the DER SubjectPublicKeyInfo of a KMS signing key, and checks it can sign PS384. */
async function fetchKmsPublicKey(keyId, env = process.env) {
    const region = env.AWS_REGION || env.AWS_DEFAULT_REGION || /^arn:aws[a-z-]*:kms:([a-z0-9-]+):/.exec(keyId)?.[1];
    if (!region)
        throw new _input_error_js__WEBPACK_IMPORTED_MODULE_0__/* .InputError */ .d('kms-key-id', 'needs AWS_REGION (or a key ARN, which names its region)');
    const client = new _aws_sdk_client_kms__WEBPACK_IMPORTED_MODULE_1__/* .KMSClient */ .pgq((0,_aws_client_config_js__WEBPACK_IMPORTED_MODULE_2__/* .clientConfig */ .yO)({ region, maxAttempts: 3 }));
    let answer;
    try {
        answer = await client.send(new _aws_sdk_client_kms__WEBPACK_IMPORTED_MODULE_1__/* .GetPublicKeyCommand */ .QSA({ KeyId: keyId }));
    }
    catch (error) {
        const { name, message } = error;
        throw new _input_error_js__WEBPACK_IMPORTED_MODULE_0__/* .InputError */ .d('kms-key-id', `could not fetch the public key: ${name}: ${message}`);
    }
    finally {
        client.destroy();
    }
    if (answer.KeyUsage !== 'SIGN_VERIFY' || !answer.SigningAlgorithms?.includes(PS384_IN_KMS)) {
        throw new _input_error_js__WEBPACK_IMPORTED_MODULE_0__/* .InputError */ .d('kms-key-id', `is a ${answer.KeySpec ?? 'key'} for ${answer.KeyUsage ?? 'an unknown use'}; an RSA signing key that supports ${PS384_IN_KMS} is required`);
    }
    if (!answer.PublicKey)
        throw new _input_error_js__WEBPACK_IMPORTED_MODULE_0__/* .InputError */ .d('kms-key-id', 'GetPublicKey returned no public key');
    return answer.PublicKey;
}


/***/ })

};
