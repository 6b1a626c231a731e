/**
 * Tokens for customers without an AWS account: CreateToken issues a refresh token (a JWT
 * signed by this emulator's own RSA key, `aud` = license ARN, `amr` = TokenProperties),
 * GetAccessToken trades it for a one-hour access token, and STS accepts that access token
 * as a web identity. DeleteToken revokes a refresh token.
 */
import { createSign, createVerify, generateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import type { Clock } from './clock.js';
import { lmError } from './errors.js';
import { randomHex } from './ids.js';
import type { IdempotencyCache } from './idempotency.js';
import { decodeJws, encodeJws } from './jwt.js';
import { createTokenShape, deleteTokenShape, getAccessTokenShape } from './license-shapes.js';
import type { LicenseBook } from './licenses.js';
import { validate } from './validation.js';

/** [inferred] AWS caps active tokens per license; ResourceLimitExceededException is in CreateToken's model. */
export const MAX_TOKENS_PER_LICENSE = 10;
const ACCESS_TOKEN_MINUTES = 60;
const MINUTES_PER_DAY = 24 * 60;

export interface AccessTokenClaims {
  sub: string;
  aud: string;
  roleArns: string[];
  amr: string[];
  iss: string;
  exp: number;
}

type Verified = { ok: true; claims: Record<string, unknown> } | { ok: false; reason: 'malformed' | 'signature' | 'expired' };

export class TokenAuthority {
  private readonly tokens = new Map<string, { licenseArn: string; revoked: boolean }>();
  private readonly issuer: string;

  private constructor(
    private readonly keys: { privateKey: KeyObject; publicKey: KeyObject },
    private readonly accountId: string,
    region: string,
    private readonly clock: Clock,
    private readonly book: LicenseBook,
    private readonly idempotency: IdempotencyCache,
  ) {
    this.issuer = `https://license-manager.${region}.amazonaws.com`;
  }

  static async create(accountId: string, region: string, clock: Clock, book: LicenseBook, idempotency: IdempotencyCache): Promise<TokenAuthority> {
    const keys = await promisify(generateKeyPair)('rsa', { modulusLength: 2048 });
    return new TokenAuthority(keys, accountId, region, clock, book, idempotency);
  }

  /** `exp` keeps milliseconds (a JWT NumericDate may be fractional) so compressed minutes stay exact. */
  private sign(claims: Record<string, unknown>, lifetimeMs: number): string {
    const now = this.clock.now();
    const payload = { iss: this.issuer, ...claims, iat: Math.floor(now / 1000), exp: (now + lifetimeMs) / 1000 };
    return encodeJws({ alg: 'RS256', typ: 'JWT', kid: 'license-manager-emulator' }, payload, (input) => createSign('RSA-SHA256').update(input).sign(this.keys.privateKey));
  }

  private verify(token: string, use: 'refresh' | 'access'): Verified {
    const jws = decodeJws(token);
    if (!jws || jws.header.alg !== 'RS256' || jws.payload.token_use !== use) return { ok: false, reason: 'malformed' };
    if (!createVerify('RSA-SHA256').update(jws.signingInput).verify(this.keys.publicKey, jws.signature)) return { ok: false, reason: 'signature' };
    const exp = jws.payload.exp;
    if (typeof exp !== 'number' || exp * 1000 <= this.clock.now()) return { ok: false, reason: 'expired' };
    return { ok: true, claims: jws.payload };
  }

  /** For STS: the claims of a valid, unexpired access token, or why it is not one. */
  verifyAccessToken(token: string): { ok: true; claims: AccessTokenClaims } | { ok: false; reason: string } {
    const v = this.verify(token, 'access');
    return v.ok ? { ok: true, claims: v.claims as unknown as AccessTokenClaims } : v;
  }

  createToken(raw: unknown): unknown {
    const input = validate(createTokenShape, raw);
    return this.idempotency.run('CreateToken', input.ClientToken, input, () => {
      if (!this.book.get(input.LicenseArn)) throw lmError('ResourceNotFoundException', `License ${input.LicenseArn} does not exist`);
      const live = [...this.tokens.values()].filter((t) => t.licenseArn === input.LicenseArn && !t.revoked).length;
      if (live >= MAX_TOKENS_PER_LICENSE) {
        throw lmError('ResourceLimitExceededException', `A license can have at most ${MAX_TOKENS_PER_LICENSE} tokens; delete one with DeleteToken first`);
      }
      const tokenId = randomHex(16);
      const days = input.ExpirationInDays ?? 365;
      const token = this.sign(
        { sub: this.accountId, aud: input.LicenseArn, amr: input.TokenProperties ?? [], roleArns: input.RoleArns ?? [], jti: tokenId, token_use: 'refresh' },
        this.clock.minutes(days * MINUTES_PER_DAY),
      );
      this.tokens.set(tokenId, { licenseArn: input.LicenseArn, revoked: false });
      return { TokenId: tokenId, TokenType: 'REFRESH_TOKEN', Token: token };
    }).result;
  }

  deleteToken(raw: unknown): unknown {
    const input = validate(deleteTokenShape, raw);
    const token = this.tokens.get(input.TokenId);
    if (!token || token.revoked) throw lmError('ResourceNotFoundException', `Token ${input.TokenId} does not exist`);
    token.revoked = true;
    return {};
  }

  getAccessToken(raw: unknown): unknown {
    const input = validate(getAccessTokenShape, raw);
    const v = this.verify(input.Token, 'refresh');
    if (!v.ok) {
      const why = { malformed: 'is not a refresh token issued by License Manager', signature: 'has an invalid signature', expired: 'has expired' }[v.reason];
      throw lmError('AccessDeniedException', `The refresh token ${why}`);
    }
    const tokenId = String(v.claims.jti);
    if (this.tokens.get(tokenId)?.revoked !== false) throw lmError('AccessDeniedException', 'The refresh token has been deleted');
    const amr = Array.isArray(v.claims.amr) ? (v.claims.amr as string[]) : [];
    const unknown = (input.TokenProperties ?? []).find((p) => !amr.includes(p));
    if (unknown !== undefined) throw lmError('AccessDeniedException', `Token property '${unknown}' is not present in the refresh token`);
    const accessToken = this.sign(
      { sub: v.claims.sub, aud: v.claims.aud, amr, roleArns: v.claims.roleArns, jti: randomHex(16), tid: tokenId, token_use: 'access' },
      this.clock.minutes(ACCESS_TOKEN_MINUTES),
    );
    return { AccessToken: accessToken };
  }
}
