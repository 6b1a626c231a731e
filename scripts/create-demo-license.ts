// Creates a license in the emulator at AWS_ENDPOINT_URL and prints `license-arn=<arn>` (for
// $GITHUB_OUTPUT in the workflow that runs `uses: ./` against the emulator).
import { CreateLicenseCommand, LicenseManagerClient } from '@aws-sdk/client-license-manager';

const lm = new LicenseManagerClient({ region: process.env.AWS_REGION ?? 'us-east-1' });
const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
const out = await lm.send(
  new CreateLicenseCommand({
    LicenseName: 'Widget Pro CI',
    ProductName: 'Widget Pro',
    ProductSKU: 'widget-pro',
    Issuer: { Name: 'Example ISV' },
    HomeRegion: process.env.AWS_REGION ?? 'us-east-1',
    Validity: { Begin: now },
    Entitlements: [{ Name: 'Seats', Unit: 'Count', MaxCount: 4, AllowCheckIn: true }],
    Beneficiary: 'arn:aws:iam::111122223333:root',
    ConsumptionConfiguration: { ProvisionalConfiguration: { MaxTimeToLiveInMinutes: 60 } },
    ClientToken: `ci-${Date.now()}`,
  }),
);
console.log(`license-arn=${out.LicenseArn}`);
lm.destroy();
