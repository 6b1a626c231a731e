/** Command-line flags of `npm run emulator`, validated with errors that name the flag. */
import { parseFaults } from './faults.js';
import { parseRateLimit } from './rate-limits.js';
import type { EmulatorOptions } from './server.js';

export const USAGE = `Usage: npm run emulator -- [flags]
  --port N              port to listen on (0 = any free port; default 4566)
  --host HOST           address to bind (default 127.0.0.1)
  --minute-ms N         real milliseconds per TTL minute (default 60000)
  --faults SPEC         e.g. throttle=0.3,server-error=0.1,reset=0.05,latency-ms=40,seed=7
  --throttle-status N  HTTP status of RateLimitExceededException: 400 (AWS's API reference; default) or 429
  --credentials K:S[:A] accepted access key and secret, of account A (repeatable; replaces the default test:test)
  --rate-limit OP=N    License Manager requests per second, a token bucket of N per account (OP or * for all; repeatable)
  --allow KEY=ACTIONS   what an access key id or role ARN may call, e.g. K=license-manager:CheckoutLicense,license-manager:GetLicense (repeatable)
  --account-id ID       12-digit account id (default 111122223333)
  --region REGION       region credential scopes must name (default us-east-1)
  --zoneless-timestamps answer timestamps without a zone, as AWS's examples show
  --log                 log one line per request to stderr (no secrets)
  --help                this text`;

export class UsageError extends Error {}

export type CliOptions = EmulatorOptions & { log?: undefined; verbose: boolean; help: boolean };

function integer(flag: string, raw: string, min: number, max: number): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min || n > max) throw new UsageError(`${flag}: expected an integer ${min}..${max}, got '${raw}'`);
  return n;
}

export function parseArgs(argv: readonly string[]): CliOptions {
  const out: CliOptions = { port: 4566, verbose: false, help: false };
  const credentials: NonNullable<EmulatorOptions['credentials']> = [];
  const allow: Record<string, string[]> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const eq = arg.indexOf('=');
    const flag = eq > 0 && arg.startsWith('--') ? arg.slice(0, eq) : arg;
    const inline = eq > 0 && arg.startsWith('--') ? arg.slice(eq + 1) : undefined;
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || (inline === undefined && v.startsWith('--'))) throw new UsageError(`${flag}: missing value`);
      return v;
    };
    switch (flag) {
      case '--port': out.port = integer(flag, value(), 0, 65535); break;
      case '--host': out.host = value(); break;
      case '--minute-ms': {
        const raw = value();
        const n = Number(raw);
        if (!(Number.isFinite(n) && n > 0) || raw.trim() === '') throw new UsageError(`--minute-ms: expected a positive number of milliseconds, got '${raw}'`);
        out.minuteMs = n;
        break;
      }
      case '--faults': {
        const raw = value();
        try {
          out.faults = parseFaults(raw);
        } catch (e) {
          throw new UsageError(`--faults: ${(e as Error).message}`);
        }
        break;
      }
      case '--throttle-status': {
        const raw = value();
        if (raw !== '400' && raw !== '429') throw new UsageError(`--throttle-status: expected 400 or 429, got '${raw}'`);
        out.throttleStatus = raw === '400' ? 400 : 429;
        break;
      }
      case '--credentials': {
        const raw = value();
        const colon = raw.indexOf(':');
        if (colon < 1 || colon === raw.length - 1) throw new UsageError('--credentials: expected ACCESS_KEY_ID:SECRET_ACCESS_KEY[:ACCOUNT_ID]');
        // A last part of 12 digits is the account; a secret may contain colons itself.
        const account = /:(\d{12})$/.exec(raw.slice(colon + 1));
        const secret = account ? raw.slice(colon + 1, raw.length - account[0].length) : raw.slice(colon + 1);
        if (secret === '') throw new UsageError('--credentials: expected ACCESS_KEY_ID:SECRET_ACCESS_KEY[:ACCOUNT_ID]');
        credentials.push({ accessKeyId: raw.slice(0, colon), secretAccessKey: secret, ...(account ? { accountId: account[1] } : {}) });
        break;
      }
      case '--rate-limit': {
        try {
          const [operation, rate] = parseRateLimit(value());
          out.rateLimits = { ...out.rateLimits, [operation]: rate };
        } catch (e) {
          throw new UsageError(`--rate-limit: ${(e as Error).message}`);
        }
        break;
      }
      case '--allow': {
        const raw = value();
        const eq = raw.lastIndexOf('=');
        const actions = raw.slice(eq + 1).split(',').map((a) => a.trim()).filter(Boolean);
        if (eq < 1 || actions.length === 0 || actions.some((a) => a !== '*' && !/^[a-z0-9-]+:(\*|[A-Za-z]+)$/.test(a))) {
          throw new UsageError(`--allow: expected KEY=service:Action[,service:Action...], got '${raw}'`);
        }
        allow[raw.slice(0, eq)] = [...(allow[raw.slice(0, eq)] ?? []), ...actions];
        break;
      }
      case '--account-id': {
        const raw = value();
        if (!/^\d{12}$/.test(raw)) throw new UsageError(`--account-id: expected 12 digits, got '${raw}'`);
        out.accountId = raw;
        break;
      }
      case '--region': out.region = value(); break;
      case '--zoneless-timestamps': out.zonelessTimestamps = true; break;
      case '--log': out.verbose = true; break;
      case '--help': case '-h': out.help = true; break;
      default: throw new UsageError(`unknown flag '${arg}'`);
    }
  }
  if (credentials.length > 0) out.credentials = credentials;
  if (Object.keys(allow).length > 0) out.allow = allow;
  return out;
}
