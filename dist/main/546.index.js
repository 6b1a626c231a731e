export const id = 546;
export const ids = [546];
export const modules = {

/***/ 4546:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   CredentialStageFailure: () => (/* binding */ CredentialStageFailure),
/* harmony export */   licenseTokenCredentials: () => (/* binding */ licenseTokenCredentials),
/* harmony export */   needsRenewal: () => (/* binding */ needsRenewal)
/* harmony export */ });
/* harmony import */ var _aws_sdk_client_license_manager__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(2864);
/* harmony import */ var _aws_sdk_client_license_manager__WEBPACK_IMPORTED_MODULE_4___default = /*#__PURE__*/__webpack_require__.n(_aws_sdk_client_license_manager__WEBPACK_IMPORTED_MODULE_4__);
/* harmony import */ var _aws_sdk_client_sts__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(1695);
/* harmony import */ var _smithy_core__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(402);
/* harmony import */ var _failure_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(1633);
/* harmony import */ var _classify_error_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(6020);
/* harmony import */ var _client_config_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(6925);
// Credentials for customers without an AWS account: a license (refresh) token is exchanged for an
// access token (GetAccessToken), which assumes a role (AssumeRoleWithWebIdentity). Neither call
// is signed: the caller has nothing to sign with.






/** A refused license token or role, said in terms of what to check. */
class CredentialStageFailure extends _failure_js__WEBPACK_IMPORTED_MODULE_0__/* .ActionFailure */ .d {
}
const unsigned = {
    httpAuthSchemes: [{ schemeId: 'smithy.api#noAuth', identityProvider: () => async () => ({}), signer: new _smithy_core__WEBPACK_IMPORTED_MODULE_2__.NoAuthSigner() }],
    httpAuthSchemeProvider: () => [{ schemeId: 'smithy.api#noAuth' }],
};
async function exchange(s) {
    const config = { ...(0,_client_config_js__WEBPACK_IMPORTED_MODULE_3__/* .clientConfig */ .yO)({ region: s.region }), credentials: undefined };
    const lm = new _aws_sdk_client_license_manager__WEBPACK_IMPORTED_MODULE_4__.LicenseManagerClient({ ...config, ...unsigned });
    let accessToken;
    try {
        const out = await lm.send(new _aws_sdk_client_license_manager__WEBPACK_IMPORTED_MODULE_4__.GetAccessTokenCommand({ Token: s.token }));
        accessToken = out.AccessToken ?? '';
        if (!accessToken)
            throw new Error('GetAccessToken returned no access token');
    }
    catch (error) {
        const f = (0,_classify_error_js__WEBPACK_IMPORTED_MODULE_1__/* .classifyError */ .f)('GetAccessToken', error);
        throw new CredentialStageFailure(f.kind === 'unavailable'
            ? `GetAccessToken failed after retries (${f.code}); License Manager is unavailable, not refusing the token. AWS said: ${f.message}`
            : `The license-token was refused by GetAccessToken (${f.code}): it may be expired, revoked (DeleteToken) or mistyped; ask the vendor for a new one. AWS said: ${f.message}`);
    }
    finally {
        lm.destroy();
    }
    s.mask?.(accessToken);
    const sts = new _aws_sdk_client_sts__WEBPACK_IMPORTED_MODULE_5__/* .STSClient */ .iM(config);
    try {
        const out = await sts.send(new _aws_sdk_client_sts__WEBPACK_IMPORTED_MODULE_5__/* .AssumeRoleWithWebIdentityCommand */ .WH({
            RoleArn: s.roleArn,
            RoleSessionName: s.roleSessionName ?? 'license-gate',
            WebIdentityToken: accessToken,
        }));
        const c = out.Credentials;
        if (!c?.AccessKeyId || !c.SecretAccessKey)
            throw new Error('AssumeRoleWithWebIdentity returned no credentials');
        s.mask?.(c.SecretAccessKey);
        if (c.SessionToken)
            s.mask?.(c.SessionToken);
        return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
    }
    catch (error) {
        const f = (0,_classify_error_js__WEBPACK_IMPORTED_MODULE_1__/* .classifyError */ .f)('sts:AssumeRoleWithWebIdentity', error);
        throw new CredentialStageFailure(f.kind === 'unavailable'
            ? `AssumeRoleWithWebIdentity failed after retries (${f.code}). AWS said: ${f.message}`
            : `The role ${s.roleArn} could not be assumed with the license token (${f.code}): check that role-arn is one the token lists (CreateToken RoleArns) and that the role trusts the federated principal openid-license-manager.amazonaws.com. AWS said: ${f.message}`);
    }
    finally {
        sts.destroy();
    }
}
/** Renews when less than a quarter of the credentials' life (at most 5 minutes) remains. */
function needsRenewal(c, issuedAtMs, nowMs) {
    if (!c.expiration)
        return false;
    const expires = c.expiration.getTime();
    const margin = Math.min(5 * 60_000, (expires - issuedAtMs) / 4);
    return nowMs >= expires - margin;
}
/** A credentials provider the SDK clients call before each request; it renews before expiry. */
function licenseTokenCredentials(s, now = Date.now) {
    let current;
    let pending;
    return async () => {
        if (current && !needsRenewal(current.creds, current.at, now()))
            return current.creds;
        pending ??= exchange(s).then((creds) => {
            current = { creds, at: now() };
            pending = undefined;
            return creds;
        }, (error) => {
            pending = undefined;
            throw error;
        });
        return pending;
    };
}


/***/ })

};
