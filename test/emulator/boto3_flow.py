"""The two sample flows through boto3 (a second, non-JS client) against the emulator.

Run by boto3.test.ts as: /usr/bin/python3 boto3_flow.py <endpoint-url>
Exits non-zero with a traceback on the first mismatch; prints OK at the end.
"""
import base64
import hashlib
import json
import sys
import time
import uuid

import boto3
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError

ENDPOINT = sys.argv[1]
REGION = "us-east-1"
CREDS = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}
NO_RETRY = Config(retries={"max_attempts": 1, "mode": "standard"})


def client(service, config=None, **creds):
    return boto3.client(service, region_name=REGION, endpoint_url=ENDPOINT, config=config, **(creds or CREDS))


def expect_error(code, fn, **kwargs):
    try:
        fn(**kwargs)
    except ClientError as e:
        got = e.response["Error"]["Code"]
        assert got == code, f"expected {code}, got {got}: {e}"
        assert e.response["ResponseMetadata"].get("RequestId"), "every answer carries a request id"
        return e
    raise AssertionError(f"expected {code}, but the call succeeded")


def token():
    return uuid.uuid4().hex


lm = client("license-manager")
kms = client("kms")
sts = client("sts")

# --- Sample 1: create, get, checkout, extend, check in, delete -------------------------
sku = "BOTO-" + token()[:8]
created = lm.create_license(
    LicenseName="boto3 license",
    ProductName="boto3 product",
    ProductSKU=sku,
    Issuer={"Name": "Example ISV"},
    HomeRegion=REGION,
    Validity={"Begin": "2021-04-14T05:35:47", "End": "2099-01-01T00:00:00Z"},
    Entitlements=[{"Name": "Users", "Unit": "Count", "MaxCount": 2, "Overage": False, "AllowCheckIn": True}],
    Beneficiary="111122223333",
    ConsumptionConfiguration={"RenewType": "None", "ProvisionalConfiguration": {"MaxTimeToLiveInMinutes": 60}},
    ClientToken=token(),
)
arn = created["LicenseArn"]
assert created["Status"] == "AVAILABLE" and created["Version"] == "1", created
lic = lm.get_license(LicenseArn=arn)["License"]
fingerprint = lic["Issuer"]["KeyFingerprint"]
assert fingerprint == "aws:111122223333:Example ISV:issuer-fingerprint", fingerprint
assert lic["ProductSKU"] == sku

out = lm.checkout_license(
    ProductSKU=sku,
    CheckoutType="PROVISIONAL",
    KeyFingerprint=fingerprint,
    Entitlements=[{"Name": "Users", "Value": "1", "Unit": "Count"}],
    ClientToken=token(),
    NodeId="boto3-node",
    Beneficiary="111122223333",  # the account that created the license must name itself
)
assert out["EntitlementsAllowed"] == [{"Name": "Users", "Value": "1", "Unit": "Count"}], out
assert out["LicenseArn"] == arn and out["NodeId"] == "boto3-node"
usage = lm.get_license_usage(LicenseArn=arn)["LicenseUsage"]["EntitlementUsages"]
assert usage[0]["ConsumedValue"] == "1", usage
ext = lm.extend_license_consumption(LicenseConsumptionToken=out["LicenseConsumptionToken"])
assert ext["LicenseConsumptionToken"] == out["LicenseConsumptionToken"]
lm.check_in_license(LicenseConsumptionToken=out["LicenseConsumptionToken"])
assert lm.get_license_usage(LicenseArn=arn)["LicenseUsage"]["EntitlementUsages"][0]["ConsumedValue"] == "0"
expect_error("ResourceNotFoundException", lm.check_in_license, LicenseConsumptionToken=out["LicenseConsumptionToken"])
listed = lm.list_licenses(Filters=[{"Name": "ProductSKU", "Values": [sku]}])["Licenses"]
assert [l["LicenseArn"] for l in listed] == [arn]
deleted = lm.delete_license(LicenseArn=arn, SourceVersion="1")
assert deleted["Status"] == "DELETED"

# --- Errors parse as AWS errors ----------------------------------------------------------
e = expect_error(
    "ValidationException",
    lm.checkout_license,
    ProductSKU=sku,
    CheckoutType="PROVISIONAL",
    KeyFingerprint=fingerprint,
    Entitlements=[{"Name": "Users", "Value": "1", "Unit": "Count"}],
    ClientToken="has space",
)
assert "'clientToken'" in e.response["Error"]["Message"], e.response
assert e.response["ResponseMetadata"]["HTTPStatusCode"] == 400
expect_error(
    "NoEntitlementsAllowedException",
    lm.checkout_license,
    ProductSKU="NO-SUCH-SKU",
    CheckoutType="PROVISIONAL",
    KeyFingerprint=fingerprint,
    Entitlements=[{"Name": "Users", "Value": "1", "Unit": "Count"}],
    ClientToken=token(),
)
bad = client("license-manager", NO_RETRY, aws_access_key_id="test", aws_secret_access_key="wrong")
expect_error("InvalidSignatureException", bad.list_licenses)
unknown = client("sts", NO_RETRY, aws_access_key_id="AKIANOPE", aws_secret_access_key="x")
e = expect_error("InvalidClientTokenId", unknown.get_caller_identity)
assert e.response["ResponseMetadata"]["HTTPStatusCode"] == 403

# --- Sample 2: signing key, license with SignKey + BorrowConfiguration, borrow, verify ---
key = kms.create_key(KeySpec="RSA_4096", KeyUsage="SIGN_VERIFY", Description="boto3 issuer key")["KeyMetadata"]
assert key["KeySpec"] == "RSA_4096" and key["KeyUsage"] == "SIGN_VERIFY"
assert kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["Arn"] == key["Arn"]
borrow_sku = "BOTO-B-" + token()[:8]
borrow_arn = lm.create_license(
    LicenseName="boto3 borrow",
    ProductName="boto3 product",
    ProductSKU=borrow_sku,
    Issuer={"Name": "Example ISV", "SignKey": key["Arn"]},
    HomeRegion=REGION,
    Validity={"Begin": "2021-04-14T05:35:47"},
    Entitlements=[{"Name": "Users", "Unit": "Count", "MaxCount": 1, "AllowCheckIn": True}],
    Beneficiary="111122223333",
    ConsumptionConfiguration={
        "ProvisionalConfiguration": {"MaxTimeToLiveInMinutes": 60},
        "BorrowConfiguration": {"AllowEarlyCheckIn": True, "MaxTimeToLiveInMinutes": 120},
    },
    ClientToken=token(),
)["LicenseArn"]
borrowed = lm.checkout_borrow_license(
    LicenseArn=borrow_arn,
    Entitlements=[{"Name": "Users", "Value": "1", "Unit": "Count"}],
    DigitalSignatureMethod="JWT_PS384",
    NodeId="MyNodeId",
    CheckoutMetadata=[{"Name": "Mac", "Value": "ABCDEFGHI"}],
    ClientToken=token(),
)
jwt = borrowed["SignedToken"]
header_b64, payload_b64, signature_b64 = jwt.split(".")
pad = lambda s: s + "=" * (-len(s) % 4)
header = json.loads(base64.urlsafe_b64decode(pad(header_b64)))
payload = json.loads(base64.urlsafe_b64decode(pad(payload_b64)))
assert header["alg"] == "PS384", header
assert payload["licenseArn"] == borrow_arn and payload["nodeId"] == "MyNodeId", payload
assert payload["entitlementsAllowed"] == [{"name": "Users", "value": "1", "unit": "Count"}], payload
assert payload["checkoutMetadata"] == {"Mac": "ABCDEFGHI"}, payload
assert time.strptime(payload["expiration"], "%Y-%m-%dT%H:%M:%S"), "zone-less UTC expiration"
public_key = kms.get_public_key(KeyId=key["Arn"])["PublicKey"]
assert public_key[:2] == b"\x30\x82", "DER SubjectPublicKeyInfo"
digest = hashlib.sha384(f"{header_b64}.{payload_b64}".encode()).digest()
verified = kms.verify(
    KeyId=key["Arn"],
    Message=digest,
    MessageType="DIGEST",
    Signature=base64.urlsafe_b64decode(pad(signature_b64)),
    SigningAlgorithm="RSASSA_PSS_SHA_384",
)
assert verified["SignatureValid"] is True
# The count is used up: NoEntitlementsAllowedException, as users report (aws/aws-sdk#507).
expect_error(
    "NoEntitlementsAllowedException",
    lm.checkout_borrow_license,
    LicenseArn=borrow_arn,
    Entitlements=[{"Name": "Users", "Value": "1", "Unit": "Count"}],
    DigitalSignatureMethod="JWT_PS384",
    ClientToken=token(),
)
expect_error(
    "EntitlementNotAllowedException",
    lm.checkout_borrow_license,
    LicenseArn=borrow_arn,
    Entitlements=[{"Name": "Admins", "Value": "1", "Unit": "Count"}],
    DigitalSignatureMethod="JWT_PS384",
    ClientToken=token(),
)

# --- Tokens without an AWS account: GetAccessToken and STS unsigned ----------------------
role = "arn:aws:iam::111122223333:role/LicenseConsumer"
refresh = lm.create_token(LicenseArn=borrow_arn, RoleArns=[role], ClientToken=token())["Token"]
unsigned = Config(signature_version=UNSIGNED)
access = client("license-manager", unsigned).get_access_token(Token=refresh)["AccessToken"]
assumed = client("sts", unsigned).assume_role_with_web_identity(RoleArn=role, RoleSessionName="boto3", WebIdentityToken=access)
c = assumed["Credentials"]
assert c["AccessKeyId"].startswith("ASIA") and c["Expiration"].year >= 2000, c
session = client(
    "sts", aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"], aws_session_token=c["SessionToken"]
)
assert session.get_caller_identity()["Arn"] == "arn:aws:sts::111122223333:assumed-role/LicenseConsumer/boto3"
assert sts.get_caller_identity()["Account"] == "111122223333"

# --- The customer's side: a grant accepted and activated in another account -------------
customer = client("license-manager", NO_RETRY, aws_access_key_id="customer-admin", aws_secret_access_key="customer-secret")
ci = client("license-manager", NO_RETRY, aws_access_key_id="customer-ci", aws_secret_access_key="ci-secret")
grant = lm.create_grant(
    ClientToken=token(), GrantName="boto3 customer", LicenseArn=borrow_arn,
    Principals=["arn:aws:iam::444455556666:root"], HomeRegion=REGION,
    AllowedOperations=["CheckoutLicense", "CheckInLicense", "ExtendConsumptionLicense"],
)
assert grant["Status"] == "PENDING_ACCEPT" and grant["Version"] == "1", grant
borrow_fp = lm.get_license(LicenseArn=borrow_arn)["License"]["Issuer"]["KeyFingerprint"]
consume = dict(ProductSKU=borrow_sku, CheckoutType="PROVISIONAL", KeyFingerprint=borrow_fp,
               Entitlements=[{"Name": "Users", "Value": "1", "Unit": "Count"}])
expect_error("NoEntitlementsAllowedException", ci.checkout_license, ClientToken=token(), **consume)
assert customer.accept_grant(GrantArn=grant["GrantArn"])["Status"] == "DISABLED"
expect_error("NoEntitlementsAllowedException", ci.checkout_license, ClientToken=token(), **consume)
assert customer.create_grant_version(GrantArn=grant["GrantArn"], Status="ACTIVE", ClientToken=token())["Status"] == "ACTIVE"
received = customer.list_received_licenses(Filters=[{"Name": "ProductSKU", "Values": [borrow_sku]}])["Licenses"]
assert received[0]["ReceivedMetadata"]["ReceivedStatus"] == "ACTIVE", received
# The borrowed Users seat is still out; the customer's checkout waits for it like anyone's.
lm.check_in_license(LicenseConsumptionToken=borrowed["LicenseConsumptionToken"])
out = ci.checkout_license(ClientToken=token(), **consume)
assert out["LicenseArn"] == borrow_arn, out
e = expect_error("AccessDeniedException", ci.get_license_usage, LicenseArn=borrow_arn)
assert e.response["ResponseMetadata"]["HTTPStatusCode"] == 401
assert "license-manager:GetLicenseUsage" in e.response["Error"]["Message"]
ci.check_in_license(LicenseConsumptionToken=out["LicenseConsumptionToken"])
assert [g["GrantStatus"] for g in customer.list_received_grants()["Grants"]] == ["ACTIVE"]

print("OK")
