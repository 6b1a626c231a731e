// The only module of the verify path that loads the AWS SDK; verify-action imports it
// dynamically, and only for kms-key-id, so offline verification never pays for the SDK.
import { GetPublicKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { clientConfig } from '../aws/client-config.js';
import { InputError } from '../input-error.js';

const PS384_IN_KMS = 'RSASSA_PSS_SHA_384';

/** Fetches the DER SubjectPublicKeyInfo of a KMS signing key, and checks it can sign PS384. */
export async function fetchKmsPublicKey(keyId: string, env: NodeJS.ProcessEnv = process.env): Promise<Uint8Array> {
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION || /^arn:aws[a-z-]*:kms:([a-z0-9-]+):/.exec(keyId)?.[1];
  if (!region) throw new InputError('kms-key-id', 'needs AWS_REGION (or a key ARN, which names its region)');
  const client = new KMSClient(clientConfig({ region, maxAttempts: 3 }));
  let answer;
  try {
    answer = await client.send(new GetPublicKeyCommand({ KeyId: keyId }));
  } catch (error) {
    const { name, message } = error as Error;
    throw new InputError('kms-key-id', `could not fetch the public key: ${name}: ${message}`);
  } finally {
    client.destroy();
  }
  if (answer.KeyUsage !== 'SIGN_VERIFY' || !answer.SigningAlgorithms?.includes(PS384_IN_KMS)) {
    throw new InputError('kms-key-id', `is a ${answer.KeySpec ?? 'key'} for ${answer.KeyUsage ?? 'an unknown use'}; an RSA signing key that supports ${PS384_IN_KMS} is required`);
  }
  if (!answer.PublicKey) throw new InputError('kms-key-id', 'GetPublicKey returned no public key');
  return answer.PublicKey;
}
