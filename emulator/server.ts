/**
 * The emulator's HTTP endpoint: one server for License Manager, KMS and STS. Every request
 * goes: read body → route → SigV4 → permissions → fault draw → operation → answer. Faults are drawn before
 * the operation runs, so a throttled checkout has consumed nothing; the after-faults (server-error-after,
 * reset-after) are drawn once it ran, so its effect stays and only the answer is lost.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { createClock } from './clock.js';
import { ConsumptionLedger } from './consumptions.js';
import { CredentialStore, type StaticCredential } from './credentials.js';
import { AwsError } from './errors.js';
import { FaultInjector, type FaultSpec } from './faults.js';
import { GrantBook } from './grants.js';
import { IdempotencyCache } from './idempotency.js';
import { requestId as newRequestId } from './ids.js';
import { KmsEmulator } from './kms.js';
import { licenseManagerService } from './license-manager.js';
import { LicenseBook } from './licenses.js';
import { notAuthorized, Permissions } from './permissions.js';
import { RateLimiter } from './rate-limits.js';
import { route, type Call } from './protocols.js';
import { AuthFailure, verifySigV4 } from './sigv4.js';
import { StatsRecorder, type EmulatorStats } from './stats.js';
import { stsService } from './sts.js';
import { TokenAuthority } from './tokens.js';

export type { FaultSpec } from './faults.js';
export type { EmulatorEvent, EmulatorStats, EntitlementStats, LicenseStats, OperationStats, RequestStats } from './stats.js';

export interface EmulatorOptions {
  /** 0 = a free port (default). */
  port?: number;
  /** Default '127.0.0.1'. */
  host?: string;
  /** Real ms per TTL minute (consumptions, tokens, STS credentials); default 60000. */
  minuteMs?: number;
  /**
   * License time (IssuedAt, Expiration, TTLs, sessions, rate limits), for simulations whose own clock
   * runs faster than the wall; default Date.now. Signatures are still dated by the wall clock.
   */
  now?: () => number;
  /** e.g. 'throttle=0.3,server-error=0.1,reset=0.05,latency-ms=40,seed=7'. */
  faults?: FaultSpec | string;
  /** HTTP status of License Manager's RateLimitExceededException: 400 (API reference; default) or 429 (Smithy model). */
  throttleStatus?: 400 | 429;
  /** Default [{test, test}]; [] accepts only STS-issued session credentials. Each key belongs to its accountId (default: accountId below). */
  credentials?: StaticCredential[];
  /**
   * Access key id or role ARN → the IAM actions it may call (`license-manager:CheckoutLicense`,
   * `kms:*`). A key without a list may call everything; a license-token session whose role has
   * none gets AWSLicenseManagerConsumptionPolicy's four actions.
   */
  allow?: Record<string, string[]>;
  /** License Manager request rates per emulated second: `{ CheckoutLicense: 5, '*': 10 }` (see rate-limits.ts). None by default. */
  rateLimits?: Record<string, number>;
  /** Default '111122223333'. */
  accountId?: string;
  /** Default 'us-east-1'; SigV4 credential scopes must name it. */
  region?: string;
  /** Answer timestamps without a zone (`2021-04-14T05:35:47.123`), as AWS's examples show. Default false (`...Z`). */
  zonelessTimestamps?: boolean;
  /** Request log, one line per request; never contains tokens, secrets or signatures. */
  log?: (line: string) => void;
}

export interface Emulator {
  url: string;
  port: number;
  /** The account that owns everything created here (KeyFingerprint, ARNs). */
  accountId: string;
  region: string;
  setFaults(f: FaultSpec | string | undefined): void;
  stats(): EmulatorStats;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) reject(new AwsError('SerializationException', 'Request body is too large', 413));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function checkOptions(o: EmulatorOptions): void {
  if (o.port !== undefined && !(Number.isInteger(o.port) && o.port >= 0 && o.port <= 65535)) throw new Error(`port must be an integer 0..65535, got ${o.port}`);
  if (o.minuteMs !== undefined && !(Number.isFinite(o.minuteMs) && o.minuteMs > 0)) throw new Error(`minuteMs must be a positive number, got ${o.minuteMs}`);
  if (o.throttleStatus !== undefined && o.throttleStatus !== 400 && o.throttleStatus !== 429) throw new Error(`throttleStatus must be 400 or 429, got ${o.throttleStatus}`);
  if (o.accountId !== undefined && !/^\d{12}$/.test(o.accountId)) throw new Error(`accountId must be 12 digits, got '${o.accountId}'`);
}

export async function startEmulator(o: EmulatorOptions = {}): Promise<Emulator> {
  checkOptions(o);
  const accountId = o.accountId ?? '111122223333';
  const region = o.region ?? 'us-east-1';
  const clock = createClock(o.minuteMs ?? 60_000, o.zonelessTimestamps ?? false, o.now);
  const credentials = new CredentialStore(o.credentials ?? [{ accessKeyId: 'test', secretAccessKey: 'test' }], accountId);
  const faults = new FaultInjector(o.faults);
  const permissions = new Permissions(o.allow);
  const rates = new RateLimiter(o.rateLimits ?? {}, (o.minuteMs ?? 60_000) / 60);
  const stats = new StatsRecorder();
  const idempotency = new IdempotencyCache();
  const kms = new KmsEmulator(accountId, region);
  const book = new LicenseBook(accountId, clock, kms, idempotency);
  const grants = new GrantBook(book, idempotency);
  const ledger = new ConsumptionLedger(book, grants, kms, clock, stats, idempotency);
  const tokens = await TokenAuthority.create(accountId, region, clock, book, idempotency);
  const services = {
    json: { AWSLicenseManager: licenseManagerService(book, grants, ledger, tokens, o.throttleStatus), TrentService: kms.service() },
    query: stsService(clock, credentials, tokens),
  };

  async function serve(call: Call, req: IncomingMessage, body: Buffer, res: ServerResponse, requestId: string): Promise<string | undefined> {
    const { protocol, service, operation } = call;
    const now = clock.now();
    let caller;
    try {
      caller = verifySigV4({ method: req.method ?? 'POST', url: req.url ?? '/', rawHeaders: req.rawHeaders, body }, { service: service.signingName, region }, credentials, now, Date.now());
      if (!caller && !service.unsignedOperations.has(operation)) throw new AuthFailure('missing', 'Missing Authentication Token');
    } catch (e) {
      stats.request(operation, undefined);
      if (!(e instanceof AuthFailure)) throw e;
      const error = protocol.authError(e.kind, e.message);
      protocol.writeError(res, error, requestId);
      return error.code;
    }
    const action = `${service.signingName}:${operation}`;
    if (caller && !permissions.permits(caller, action)) {
      stats.request(operation, undefined);
      const error = service.accessDenied(notAuthorized(caller, action));
      protocol.writeError(res, error, requestId);
      return error.code;
    }
    // AWS throttles an account beyond its rate whatever else happens to the request.
    if (rates.active && service.signingName === 'license-manager' && !rates.take(caller?.identity.accountId ?? 'anonymous', operation, clock.now())) {
      stats.request(operation, 'rate-limit');
      const error = service.throttled();
      protocol.writeError(res, error, requestId);
      return error.code;
    }
    const fault = faults.draw();
    stats.request(operation, fault);
    if (fault === 'reset') {
      req.socket.destroy();
      return 'reset';
    }
    const faultError = fault === 'throttle' ? service.throttled() : fault === 'server-error' ? service.serverError() : undefined;
    if (faultError) {
      protocol.writeError(res, faultError, requestId);
      return faultError.code;
    }
    try {
      const result = await service.operations[operation]?.(call.input(), { now: clock.now(), requestId, caller });
      const lost = faults.drawAfter();
      if (lost) {
        stats.answerLost(operation);
        if (lost === 'reset-after') {
          req.socket.destroy();
          return lost;
        }
        protocol.writeError(res, service.serverError(), requestId);
        return lost;
      }
      protocol.writeResult(res, operation, result, requestId);
      return undefined;
    } catch (e) {
      const error = e instanceof AwsError ? e : service.serverError();
      if (!(e instanceof AwsError)) o.log?.(`internal error in ${operation}: ${e instanceof Error ? e.message : String(e)}`);
      protocol.writeError(res, error, requestId);
      return error.code;
    }
  }

  const server = createServer((req, res) => {
    const started = Date.now();
    const requestId = newRequestId();
    void (async () => {
      let outcome: string | undefined;
      let name = 'unrouted';
      try {
        const body = await readBody(req);
        if (faults.latencyMs > 0) await delay(faults.latencyMs);
        const call = route(req, body, services);
        if ('error' in call) {
          call.protocol.writeError(res, call.error, requestId);
          outcome = call.error.code;
        } else {
          name = `${call.service.signingName}:${call.operation}`;
          outcome = await serve(call, req, body, res, requestId);
        }
      } catch (e) {
        outcome = e instanceof AwsError ? e.code : 'InternalFailure';
        if (!res.headersSent && !res.destroyed) {
          res.writeHead(e instanceof AwsError ? e.status : 500, { 'x-amzn-RequestId': requestId }).end();
        }
      }
      o.log?.(`${req.method ?? '?'} ${name} ${outcome ?? 'OK'} ${Date.now() - started}ms`);
    })();
  });
  // A keep-alive socket the client leaves open must not hold close() up.
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, o.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = o.host ?? '127.0.0.1';
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    accountId,
    region,
    setFaults: (f) => faults.set(f),
    stats: () => {
      ledger.sweep(clock.now());
      return stats.snapshot(book.stats());
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
