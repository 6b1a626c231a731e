// The only module of the verify path that loads the AWS SDK; verify-action imports it
// dynamically, and only for kms-key-id, so offline verification never pays for the SDK. It shares
// no code with the offline path (problems are returned as text, not as InputError), so that path
// bundles into a single file.
import { GetPublicKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { clientConfig } from '../aws/client-config.js';

const PS384_IN_KMS = 'RSASSA_PSS_SHA_384';

/**
 * Fetches the DER SubjectPublicKeyInfo of a KMS signing key, and checks it can sign PS384. A key
 * that cannot be used is a `problem` with kms-key-id; a failed call throws.
 */
export async function fetchKmsPublicKey(keyId: string, env: NodeJS.ProcessEnv = process.env): Promise<Uint8Array | { problem: string }> {
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION || /^arn:aws[a-z-]*:kms:([a-z0-9-]+):/.exec(keyId)?.[1];
  if (!region) return { problem: 'needs AWS_REGION (or a key ARN, which names its region)' };
  const client = new KMSClient(clientConfig({ region, maxAttempts: 3 }));
  let answer;
  try {
    answer = await client.send(new GetPublicKeyCommand({ KeyId: keyId }));
  } catch (error) {
    const { name, message } = error as Error;
    throw new Error(`${name}: ${message}`, { cause: error });
  } finally {
    client.destroy();
  }
  if (answer.KeyUsage !== 'SIGN_VERIFY' || !answer.SigningAlgorithms?.includes(PS384_IN_KMS)) {
    return { problem: `is a ${answer.KeySpec ?? 'key'} for ${answer.KeyUsage ?? 'an unknown use'}; an RSA signing key that supports ${PS384_IN_KMS} is required` };
  }
  if (!answer.PublicKey) return { problem: 'GetPublicKey returned no public key' };
  return answer.PublicKey;
}
