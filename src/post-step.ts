import type { AwsSettings } from './aws/client-config.js';
import type { LicenseService } from './aws/license-manager.js';
import { parseAwsTime } from './aws-time.js';
import { explainFailure } from './explain.js';
import { AwsFailure } from './failure.js';
import { parseInputs, type ActionInputs } from './inputs.js';
import { writeSummary, type ActionIO } from './io.js';
import { loadConsumption, type SavedConsumption } from './state.js';

export interface KeepaliveReport {
  /** The newest consumption token the keepalive holds (it may have been rotated by an extension). */
  consumptionToken?: string;
  expiration?: string;
  extensions: number;
  failures: string[];
  /** True when the keepalive already saw the consumption end (token refused). */
  ended?: string;
  /** Why the license itself ended during the job (suspended, expired, deleted), when the keepalive found out. */
  licenseEnded?: string;
}

export interface PostDeps {
  io: ActionIO;
  licenseService(settings: AwsSettings): LicenseService;
  /** The clock the consumption's expiry is judged by (a simulation's; Date.now by default). */
  now?(): number;
  credentials?(inputs: ActionInputs | undefined, saved: SavedConsumption): Promise<AwsSettings['credentials']>;
  /** Stops the keepalive and reads its last status; undefined when there is none. */
  stopKeepalive?(saved: SavedConsumption): Promise<KeepaliveReport | undefined>;
  /** Reads the keepalive's status without stopping it. */
  peekKeepalive?(saved: SavedConsumption): Promise<KeepaliveReport | undefined>;
  /** Removes the stopped keepalive's folder (its tokens and log); throws when it cannot. */
  removeKeepalive?(saved: SavedConsumption): void;
}

/** The post step: hand the seat back. It warns but never fails the job: the TTL is the fallback. */
export async function runPost(deps: PostDeps): Promise<void> {
  const { io } = deps;
  const secret = io.getInput('license-token').trim();
  if (secret) io.setSecret(secret);
  const state = loadConsumption(io);
  switch (state.kind) {
    case 'none':
      io.info('Nothing to check in: the main step did not check a license out.');
      return;
    case 'done':
      io.info(`Nothing left to do: ${state.how}.`);
      return;
    case 'invalid':
      io.warning(`Not checking anything in: ${state.problem}. Any seat this job holds returns by itself when it expires.`);
      return;
  }
  const saved = state.consumption;
  io.setSecret(saved.consumptionToken);
  let inputs: ActionInputs | undefined;
  try {
    inputs = parseInputs((n) => io.getInput(n), { ...io.env, AWS_REGION: io.env.AWS_REGION ?? saved.region });
  } catch {
    inputs = undefined;
  }
  // Check in while the keepalive still keeps the consumption alive, then stop it: stopping first
  // would leave a short-TTL consumption unextended while this step starts its AWS client.
  const peeked = saved.checkIn ? await deps.peekKeepalive?.(saved).catch(() => undefined) : undefined;
  // Throttling never ends a check-in early: it is retried until the seat would return by itself.
  const expiresAt = parseAwsTime(peeked?.expiration ?? saved.expiration)?.getTime();
  const patienceMs = expiresAt === undefined ? undefined : Math.max(0, expiresAt - (deps.now ?? Date.now)());
  const service = saved.checkIn
    ? deps.licenseService({ region: saved.region, credentials: await deps.credentials?.(inputs, saved), ...(patienceMs === undefined ? {} : { patienceMs }) })
    : undefined;
  try {
    if (peeked?.consumptionToken) io.setSecret(peeked.consumptionToken);
    let outcome = peeked?.consumptionToken ? await checkIn(service!, peeked.consumptionToken, saved) : undefined;

    const report = await deps.stopKeepalive?.(saved).catch((e: unknown) => {
      io.warning(`Could not read the keepalive's status (${e instanceof Error ? e.message : String(e)}); checking in with the token the main step saved.`);
      return undefined;
    });
    if (report?.consumptionToken) io.setSecret(report.consumptionToken);
    // Nothing secret stays on disk after the job: what the keepalive held is in `report` now.
    try {
      deps.removeKeepalive?.(saved);
    } catch (e) {
      io.warning(`Could not remove the keepalive's folder (${e instanceof Error ? e.message : String(e)}): its status file, with the consumption token, stays until the runner empties RUNNER_TEMP.`);
    }
    const expiration = report?.expiration ?? saved.expiration;
    const notes: string[] = [];
    if (report) {
      io.info(`Keepalive: ${report.extensions} extension(s)${report.failures.length ? `, ${report.failures.length} failure(s): ${report.failures.join('; ')}` : ''}.`);
      notes.push(`Keepalive extensions: ${report.extensions}${report.failures.length ? `, failures: ${report.failures.length}` : ''}`);
    }
    if (report?.licenseEnded) {
      // Not network trouble: the issuer suspended, deleted or let the license run out mid-job.
      io.warning(`The license itself ended during the job: ${report.licenseEnded}. The keepalive stopped extending the consumption; it lapses at ${expiration ?? 'its expiry'} at the latest.`);
      notes.push(`The license ended during the job: ${report.licenseEnded}`);
    }
    if (!service) {
      const why = saved.checkoutType === 'PERPETUAL' ? 'a PERPETUAL checkout is consumed for good' : 'check-in is off';
      io.info(`Not checking in: ${why}${expiration ? `; the consumption lasts until ${expiration}` : ''}.`);
      await writeSummary(io, postSummary('kept', saved, notes));
      return;
    }
    const newest = report?.consumptionToken ?? saved.consumptionToken;
    if (outcome === undefined || (outcome !== 'ok' && newest !== peeked?.consumptionToken)) {
      outcome = await checkIn(service, newest, saved);
    }
    if (outcome === 'ok') {
      io.info(`Checked in ${saved.licenseArn ?? 'the license'} for node '${saved.nodeId}'.`);
      await writeSummary(io, postSummary('checked in', saved, notes));
    } else if (outcome instanceof AwsFailure && outcome.kind === 'not-found') {
      io.info('Nothing to check in: the consumption already ended (checked in or expired).');
    } else {
      const why = outcome instanceof AwsFailure ? explainFailure(outcome, saved.licenseArn ?? 'the license') : String(outcome);
      io.warning(`Check-in failed: ${why} The seat returns by itself at ${expiration ?? 'the end of its time to live'}.`);
      await writeSummary(io, postSummary('check-in failed', saved, notes));
    }
  } finally {
    service?.destroy();
  }
}

async function checkIn(service: LicenseService, token: string, saved: SavedConsumption): Promise<'ok' | AwsFailure | Error> {
  try {
    await service.checkIn(token, saved.beneficiary);
    return 'ok';
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

function postSummary(outcome: string, saved: SavedConsumption, notes: string[]): string {
  return [`### License ${outcome}`, '', `- License: \`${saved.licenseArn ?? ''}\``, `- Node: \`${saved.nodeId}\``, ...notes.map((n) => `- ${n}`), ''].join('\n');
}
