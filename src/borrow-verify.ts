import type { ActionInputs } from './inputs.js';
import { isRefusal } from './token/refusal.js';
import { verifyToken } from './token/verify-token.js';
import { loadVerificationKey } from './verify-action.js';

const SKEW_MS = 5 * 60_000;

/**
 * Borrow mode's immediate check, with the same code as the verify sub-action: the token just
 * returned must verify with the key the inputs name, for this license, node and entitlements.
 * Returns the reason it does not, or undefined.
 */
export async function verifyBorrowedToken(token: string, inputs: ActionInputs, nodeId: string, log: (line: string) => void): Promise<string | undefined> {
  if (!inputs.publicKey && !inputs.publicKeyFile && !inputs.kmsKeyId) return undefined;
  const key = await loadVerificationKey({ publicKey: inputs.publicKey, publicKeyFile: inputs.publicKeyFile, kmsKeyId: inputs.kmsKeyId }, {}, log);
  const result = await verifyToken(token, key, {
    now: new Date(),
    clockSkewMs: SKEW_MS,
    licenseArn: inputs.license.licenseArn,
    nodeId,
    entitlements: inputs.entitlements,
  });
  return isRefusal(result) ? `${result.reason} (${result.code})` : undefined;
}
