/** License Manager request shapes, transcribed from the service model (botocore / aws-sdk-js-v3). */
import { LENIENT_ISO_PATTERN } from './clock.js';
import { bool, enumOf, int, list, str, struct } from './validation.js';

export const UNITS = [
  'Count', 'None', 'Seconds', 'Microseconds', 'Milliseconds', 'Bytes', 'Kilobytes', 'Megabytes', 'Gigabytes', 'Terabytes',
  'Bits', 'Kilobits', 'Megabits', 'Gigabits', 'Terabits', 'Percent', 'Bytes/Second', 'Kilobytes/Second', 'Megabytes/Second',
  'Gigabytes/Second', 'Terabytes/Second', 'Bits/Second', 'Kilobits/Second', 'Megabits/Second', 'Gigabits/Second',
  'Terabits/Second', 'Count/Second',
] as const;

export const LICENSE_STATUSES = ['AVAILABLE', 'PENDING_AVAILABLE', 'DEACTIVATED', 'SUSPENDED', 'EXPIRED', 'PENDING_DELETE', 'DELETED'] as const;

/** The newest model's pattern (the reference); older models only allowed a few partitions. */
export const LICENSE_ARN_PATTERN =
  /^arn:aws[a-zA-Z-]*:[A-Za-z0-9][A-Za-z0-9_/.-]{0,62}:[A-Za-z0-9_/.-]{0,63}:[A-Za-z0-9_/.-]{0,63}:[A-Za-z0-9][A-Za-z0-9:_/+=,@.-]{0,1023}$/;

export const arn = str({ max: 2048, pattern: LICENSE_ARN_PATTERN });
/** The model says `\S+`; AWS's validators match the whole value, so whitespace anywhere fails. */
export const clientToken = str({ max: 2048, pattern: /^\S+$/, patternText: '\\S+' });
const isoDateTime = str({
  max: 50,
  pattern: LENIENT_ISO_PATTERN,
  patternText:
    '^(-?(?:[1-9][0-9]*)?[0-9]{4})-(1[0-2]|0[1-9])-(3[0-1]|0[1-9]|[1-2][0-9])T(2[0-3]|[0-1][0-9]):([0-5][0-9]):([0-5][0-9])(\\.[0-9]+)?(Z|[+-](?:2[ 0-3]|[0-1][0-9]):[0-5][0-9])+$',
});
const metadataList = list(struct({ Name: str(), Value: str() }));
const consumptionToken = str({ sensitive: true });

export const entitlementShape = struct(
  { Name: str(), Value: str(), MaxCount: int({ min: 0 }), Overage: bool(), Unit: enumOf(UNITS), AllowCheckIn: bool() },
  ['Name', 'Unit'],
);
const entitlementDataList = list(struct({ Name: str(), Value: str(), Unit: enumOf(UNITS) }, ['Name', 'Unit']));

const licenseBodyMembers = {
  LicenseName: str(),
  ProductName: str(),
  Issuer: struct({ Name: str(), SignKey: str() }, ['Name']),
  HomeRegion: str(),
  Validity: struct({ Begin: isoDateTime, End: isoDateTime }, ['Begin']),
  Entitlements: list(entitlementShape, { min: 1 }),
  ConsumptionConfiguration: struct({
    RenewType: enumOf(['None', 'Weekly', 'Monthly']),
    ProvisionalConfiguration: struct({ MaxTimeToLiveInMinutes: int({ min: 1 }) }, ['MaxTimeToLiveInMinutes']),
    BorrowConfiguration: struct({ AllowEarlyCheckIn: bool(), MaxTimeToLiveInMinutes: int({ min: 1 }) }, ['AllowEarlyCheckIn', 'MaxTimeToLiveInMinutes']),
  }),
  LicenseMetadata: metadataList,
  ClientToken: clientToken,
};

export const createLicenseShape = struct({ ...licenseBodyMembers, ProductSKU: str(), Beneficiary: str() }, [
  'LicenseName', 'ProductName', 'ProductSKU', 'Issuer', 'HomeRegion', 'Validity', 'Entitlements', 'Beneficiary', 'ConsumptionConfiguration', 'ClientToken',
]);

export const createLicenseVersionShape = struct({ ...licenseBodyMembers, LicenseArn: arn, Status: enumOf(LICENSE_STATUSES), SourceVersion: str() }, [
  'LicenseArn', 'LicenseName', 'ProductName', 'Issuer', 'HomeRegion', 'Validity', 'Entitlements', 'ConsumptionConfiguration', 'Status', 'ClientToken',
]);

export const getLicenseShape = struct({ LicenseArn: arn, Version: str() }, ['LicenseArn']);
export const licenseArnShape = struct({ LicenseArn: arn }, ['LicenseArn']);
export const deleteLicenseShape = struct({ LicenseArn: arn, SourceVersion: str() }, ['LicenseArn', 'SourceVersion']);
export const listLicensesShape = struct({
  LicenseArns: list(arn),
  Filters: list(struct({ Name: str(), Values: list(str()) })),
  NextToken: str(),
  MaxResults: int({ min: 1, max: 100 }),
});

export const checkoutLicenseShape = struct(
  {
    ProductSKU: str(),
    CheckoutType: enumOf(['PROVISIONAL', 'PERPETUAL']),
    KeyFingerprint: str(),
    Entitlements: entitlementDataList,
    ClientToken: clientToken,
    Beneficiary: str(),
    NodeId: str(),
  },
  ['ProductSKU', 'CheckoutType', 'KeyFingerprint', 'Entitlements', 'ClientToken'],
);

export const checkoutBorrowLicenseShape = struct(
  {
    LicenseArn: arn,
    Entitlements: entitlementDataList,
    // Deliberately not an enum here: AWS answers UnsupportedDigitalSignatureMethodException, not a validation error.
    DigitalSignatureMethod: str(),
    NodeId: str(),
    CheckoutMetadata: metadataList,
    ClientToken: clientToken,
  },
  ['LicenseArn', 'Entitlements', 'DigitalSignatureMethod', 'ClientToken'],
);

export const extendShape = struct({ LicenseConsumptionToken: consumptionToken, DryRun: bool() }, ['LicenseConsumptionToken']);
export const checkInShape = struct({ LicenseConsumptionToken: consumptionToken, Beneficiary: str() }, ['LicenseConsumptionToken']);

const tokenProperties = list(str(), { max: 3 });
export const createTokenShape = struct(
  { LicenseArn: arn, RoleArns: list(arn), ExpirationInDays: int({ min: 1 }), TokenProperties: tokenProperties, ClientToken: clientToken },
  ['LicenseArn', 'ClientToken'],
);
export const getAccessTokenShape = struct(
  { Token: str({ max: 4096, pattern: /^\S+$/, patternText: '\\S+', sensitive: true }), TokenProperties: tokenProperties },
  ['Token'],
);
export const deleteTokenShape = struct({ TokenId: str() }, ['TokenId']);

export const GRANT_STATUSES = ['PENDING_WORKFLOW', 'PENDING_ACCEPT', 'REJECTED', 'ACTIVE', 'FAILED_WORKFLOW', 'DELETED', 'PENDING_DELETE', 'DISABLED', 'WORKFLOW_COMPLETED'] as const;
export const ALLOWED_OPERATIONS = ['CreateGrant', 'CheckoutLicense', 'CheckoutBorrowLicense', 'CheckInLicense', 'ExtendConsumptionLicense', 'ListPurchasedLicenses', 'CreateToken'] as const;

const allowedOperations = list(enumOf(ALLOWED_OPERATIONS), { min: 1, max: 7 });
const filterList = list(struct({ Name: str(), Values: list(str()) }));

export const createGrantShape = struct(
  {
    ClientToken: clientToken,
    GrantName: str(),
    LicenseArn: arn,
    Principals: list(arn, { min: 1, max: 1 }),
    HomeRegion: str(),
    AllowedOperations: allowedOperations,
    Tags: list(struct({ Key: str(), Value: str() })),
  },
  ['ClientToken', 'GrantName', 'LicenseArn', 'Principals', 'HomeRegion', 'AllowedOperations'],
);
export const grantArnShape = struct({ GrantArn: arn }, ['GrantArn']);
export const getGrantShape = struct({ GrantArn: arn, Version: str() }, ['GrantArn']);
export const deleteGrantShape = struct({ GrantArn: arn, StatusReason: str({ max: 400 }), Version: str() }, ['GrantArn', 'Version']);
export const createGrantVersionShape = struct(
  {
    ClientToken: clientToken,
    GrantArn: arn,
    GrantName: str(),
    AllowedOperations: allowedOperations,
    Status: enumOf(GRANT_STATUSES),
    StatusReason: str({ max: 400 }),
    SourceVersion: str(),
    Options: struct({ ActivationOverrideBehavior: enumOf(['DISTRIBUTED_GRANTS_ONLY', 'ALL_GRANTS_PERMITTED_BY_ISSUER']) }),
  },
  ['ClientToken', 'GrantArn'],
);
export const listGrantsShape = struct({ GrantArns: list(arn), Filters: filterList, NextToken: str(), MaxResults: int({ min: 1, max: 100 }) });
export const listReceivedLicensesShape = struct({ LicenseArns: list(arn), Filters: filterList, NextToken: str(), MaxResults: int({ min: 1, max: 100 }) });
