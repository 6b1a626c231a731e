/**
 * Who may call the emulator: the configured static key pairs, plus session credentials
 * that STS AssumeRoleWithWebIdentity issued (valid until their expiry).
 */
export interface CallerIdentity {
  accountId: string;
  arn: string;
  userId: string;
  /** The role a session was issued for (its permissions are the role's). */
  roleArn?: string;
}

/** An access key pair the emulator accepts, and the account it belongs to (default: the emulator's). */
export interface StaticCredential {
  accessKeyId: string;
  secretAccessKey: string;
  accountId?: string;
}

export interface StoredCredential {
  accessKeyId: string;
  secretAccessKey: string;
  /** Present for STS-issued credentials: requests must carry it as x-amz-security-token. */
  sessionToken?: string;
  expiresAt?: number;
  identity: CallerIdentity;
}

export class CredentialStore {
  private readonly byKey = new Map<string, StoredCredential>();

  constructor(staticCredentials: readonly StaticCredential[], defaultAccount: string) {
    for (const { accessKeyId, secretAccessKey, accountId = defaultAccount } of staticCredentials) {
      this.byKey.set(accessKeyId, {
        accessKeyId,
        secretAccessKey,
        identity: { accountId, arn: `arn:aws:iam::${accountId}:user/${accessKeyId}`, userId: accessKeyId },
      });
    }
  }

  addSession(credential: StoredCredential): void {
    this.byKey.set(credential.accessKeyId, credential);
  }

  lookup(accessKeyId: string): StoredCredential | undefined {
    return this.byKey.get(accessKeyId);
  }
}
