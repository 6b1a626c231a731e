/**
 * Who may call the emulator: the configured static key pairs, plus session credentials
 * that STS AssumeRoleWithWebIdentity issued (valid until their expiry).
 */
export interface CallerIdentity {
  accountId: string;
  arn: string;
  userId: string;
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

  constructor(staticCredentials: ReadonlyArray<{ accessKeyId: string; secretAccessKey: string }>, accountId: string) {
    for (const c of staticCredentials) {
      this.byKey.set(c.accessKeyId, {
        ...c,
        identity: { accountId, arn: `arn:aws:iam::${accountId}:user/${c.accessKeyId}`, userId: c.accessKeyId },
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
