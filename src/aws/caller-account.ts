// The account the job's credentials belong to (STS GetCallerIdentity, which no IAM policy can
// deny). Loaded only after a refused checkout, to tell whether the job runs in the issuer's account.
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { classifyError } from './classify-error.js';
import { clientConfig, type AwsSettings } from './client-config.js';

/** The 12-digit account id; a failure is returned as its description (STS could not say). */
export async function callerAccount(settings: AwsSettings): Promise<{ account: string } | { problem: string }> {
  const sts = new STSClient(clientConfig(settings));
  try {
    const { Account } = await sts.send(new GetCallerIdentityCommand({}));
    return Account && /^\d{12}$/.test(Account) ? { account: Account } : { problem: 'sts:GetCallerIdentity named no account' };
  } catch (error) {
    const f = classifyError('sts:GetCallerIdentity', error);
    return { problem: `sts:GetCallerIdentity failed (${f.code})` };
  } finally {
    sts.destroy();
  }
}
