import type { AwsSettings } from './aws/client-config.js';
import type { Consumption, LicenseDetails, LicenseService } from './aws/license-manager.js';
import { isoUtc, parseAwsTime } from './aws-time.js';
import { creatorAccount } from './arn.js';
import { compareGrant, describe, type EntitlementRequest } from './entitlements.js';
import { explainFailure } from './explain.js';
import { ActionFailure, AwsFailure } from './failure.js';
import { clientTokenFor, defaultNodeId, jobIdentity } from './identity.js';
import { InputError } from './input-error.js';
import { parseInputs, type ActionInputs } from './inputs.js';
import { writeSummary, type ActionIO } from './io.js';
import { Cancelled, seconds, waitForSeat } from './seat-wait.js';
import { RefusalDiagnosis, type CallerFacts } from './refusal-diagnosis.js';
import { markDone, prepareState, saveConsumption, type SavedConsumption } from './state.js';
import { checkoutSummary } from './summary.js';

export interface MainDeps {
  io: ActionIO;
  licenseService(settings: AwsSettings): LicenseService;
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Aborted when the runner cancels the job (SIGINT/SIGTERM). */
  signal?: AbortSignal;
  /** Credentials for every AWS call (license-token flow); undefined means the SDK's default chain. */
  credentials?(inputs: ActionInputs): Promise<AwsSettings['credentials']>;
  /** Starts the background keepalive for a PROVISIONAL consumption. */
  startKeepalive?(c: SavedConsumption, inputs: ActionInputs): Promise<SavedConsumption['keepalive']>;
  /** Stops the keepalive `c` names and removes its folder: when the state naming it cannot be saved. */
  stopKeepalive?(c: SavedConsumption): Promise<unknown>;
  /** Writes the signed token (borrow) where later steps can read it; returns the path. */
  writeTokenFile?(token: string, inputs: ActionInputs): Promise<string>;
  /** Verifies a borrowed token with the public key or KMS key the inputs name; returns a failure reason. */
  verifyBorrowed?(token: string, inputs: ActionInputs, nodeId: string): Promise<string | undefined>;
  /** Checks, before any seat is taken, the files the step needs after it (borrow: key file, token file); throws an InputError. */
  preflight?(inputs: ActionInputs): void;
  /** The account the job's credentials belong to (STS GetCallerIdentity), or why it is unknown. */
  callerAccount?(settings: AwsSettings): Promise<{ account: string } | { problem: string }>;
}

/** The main step: parse, check out (or borrow), compare, publish, hand the consumption to the post step. */
export async function runMain(deps: MainDeps): Promise<void> {
  const { io } = deps;
  const secret = io.getInput('license-token').trim();
  if (secret) io.setSecret(secret);
  try {
    await checkout(deps, parseInputs((n) => io.getInput(n), io.env));
  } catch (error) {
    io.setOutput('entitled', 'false');
    io.setFailed(failureLine(error));
  }
}

function failureLine(error: unknown): string {
  if (error instanceof InputError || error instanceof ActionFailure) return error.message;
  if (error instanceof AwsFailure) return explainFailure(error, 'the license');
  return `Unexpected error: ${error instanceof Error ? error.message : String(error)}`;
}

/** SDK attempts per call of a step with a wait-timeout. */
const WAITING_ATTEMPTS = 3;

async function checkout(deps: MainDeps, inputs: ActionInputs): Promise<void> {
  const { io } = deps;
  // The key the post step's state is sealed with, made and checked while no seat is held yet.
  prepareState(io);
  deps.preflight?.(inputs);
  const identity = jobIdentity(io.env, inputs.matrix);
  const nodeId = inputs.nodeId ?? defaultNodeId(identity);
  // A step that may wait treats throttling as waiting too: few SDK tries per round, then patient
  // rounds whose delays double while the account stays throttled (a fleet slows until it fits the
  // account's rate), for as long as the wait-timeout allows.
  const waiting = inputs.waitTimeoutMs > 0 ? { maxAttempts: WAITING_ATTEMPTS, patienceMs: inputs.waitTimeoutMs } : {};
  const settings: AwsSettings = { region: inputs.region, credentials: await deps.credentials?.(inputs), ...waiting };
  const service = deps.licenseService(settings);
  try {
    const license = await lookUpLicense(deps, service, inputs);
    const subject = describeSubject(inputs, license);
    io.info(`Checking out ${inputs.entitlements.map(describe).join(', ')} from ${subject} as node '${nodeId}'`);

    let beneficiary = inputs.beneficiary;
    const request = (n: number): Promise<Consumption> => {
      // A request that adds the Beneficiary the step found for itself is another request: a token of its own.
      const found = beneficiary !== inputs.beneficiary;
      const purpose = `${inputs.mode}:${subject}${found ? `:beneficiary ${beneficiary}` : ''}`;
      const clientToken = inputs.clientToken && n === 0 && !found ? inputs.clientToken : clientTokenFor(identity, purpose, n);
      return inputs.mode === 'borrow'
        ? service.borrow({ licenseArn: license!.licenseArn, entitlements: inputs.entitlements, clientToken, nodeId, checkoutMetadata: inputs.checkoutMetadata }, deps.signal)
        : service.checkout({ ...productOf(inputs, license), checkoutType: inputs.checkoutType, entitlements: inputs.entitlements, clientToken, nodeId, beneficiary }, deps.signal);
    };

    /**
     * The account that created a license must name itself as Beneficiary to check it out (API
     * reference), and is otherwise refused as opaquely as a customer without seats. After a first
     * refusal without a beneficiary input, STS says whether this job runs in that account.
     */
    const caller: CallerFacts = {};
    let learned = false;
    /** Asked once, after the first refusal: STS says which account the job runs in. */
    const learnCaller = async (): Promise<void> => {
      const creator = creatorAccount(license?.licenseArn, productOf(inputs, license).keyFingerprint);
      if (learned || !creator || !deps.callerAccount) return;
      learned = true;
      const said = await deps.callerAccount(settings);
      if ('problem' in said) {
        if (beneficiary === undefined) caller.note = `whether this job runs in account ${creator}, which created the license and must then name itself as beneficiary, is unknown: ${said.problem}`;
        return;
      }
      Object.assign(caller, { account: said.account, isCreator: said.account === creator });
      if (!caller.isCreator && beneficiary === undefined) caller.note = `this job runs in account ${said.account}, not in ${creator} that created the license, so no beneficiary is needed`;
    };
    const beneficiaryNeeded = async (): Promise<string | undefined> => {
      await learnCaller();
      return inputs.mode === 'checkout' && beneficiary === undefined && caller.isCreator ? caller.account : undefined;
    };
    const diagnosis = new RefusalDiagnosis({ io, service, inputs, license, subject, now: deps.now });

    // A refusal that waiting cannot cure (expired license, wrong entitlement name...) ends the wait at once.
    const attempt = async (n: number): Promise<Consumption> => {
      try {
        return await request(n);
      } catch (error) {
        const refused = error instanceof AwsFailure && error.kind === 'not-entitled';
        const own = n === 0 && refused ? await beneficiaryNeeded() : undefined;
        if (own) {
          beneficiary = own;
          io.info(`This job runs in account ${own}, which created the license: AWS requires it to name itself as Beneficiary. Checking out again with beneficiary ${own} (set \`beneficiary: ${own}\` to skip the first try).`);
          return attempt(n);
        }
        if (n === 0 && inputs.waitTimeoutMs > 0 && refused) {
          const permanent = await diagnosis.permanent(caller);
          if (permanent.length > 0) throw new ActionFailure(`Not entitled, and waiting would not help: ${permanent.join('; ')} (${subject}).`);
        }
        throw error;
      }
    };

    let result: { value: Consumption; waitedMs: number };
    try {
      result = await waitForSeat({
        attempt,
        timeoutMs: inputs.waitTimeoutMs,
        now: deps.now,
        sleep: deps.sleep,
        signal: deps.signal,
        onWait: (p) =>
          io.info(`No seat yet (${p.reason}); waited ${seconds(p.elapsedMs)} of ${seconds(inputs.waitTimeoutMs)}, next try in ${seconds(p.nextInMs)}`),
      });
    } catch (error) {
      if (error instanceof AwsFailure && error.kind === 'not-entitled') {
        const message = await diagnosis.message(error, beneficiary, caller);
        await writeSummary(io, `### License check failed\n\n${message.replace(/\|/g, '\\|')}\n`);
        throw new ActionFailure(message);
      }
      if (error instanceof AwsFailure) throw new ActionFailure(explainFailure(error, subject));
      throw error;
    }
    await publish(deps, service, { ...inputs, beneficiary }, { ...result.value, nodeId: result.value.nodeId ?? nodeId }, license, result.waitedMs);
  } finally {
    service.destroy();
  }
}

/** A borrowed consumption may be checked in early only where BorrowConfiguration allows it. */
function earlyCheckInAllowed(io: ActionIO, inputs: ActionInputs, license: LicenseDetails | undefined): boolean {
  if (inputs.mode !== 'borrow' || !license?.borrow || license.borrow.allowEarlyCheckIn) return true;
  io.warning('check-in: true was asked, but this license does not allow early check-in of a borrowed token (BorrowConfiguration.AllowEarlyCheckIn is false); the token stays borrowed until it expires.');
  return false;
}

/** Hands a consumption back at once; on failure the saved state stays, so the post step tries again. */
async function checkInNow(io: ActionIO, service: LicenseService, saved: SavedConsumption, why: string): Promise<boolean> {
  try {
    await service.checkIn(saved.consumptionToken, saved.beneficiary);
    markDone(io, `checked in by the main step: ${why}`);
    return true;
  } catch (e) {
    io.warning(`Could not check the consumption back in (${e instanceof Error ? e.message : String(e)}); it returns by itself at ${saved.expiration ?? 'its expiry'}.`);
    return false;
  }
}

/**
 * Saves the state the post step finds the consumption by. When it cannot be saved (GITHUB_STATE
 * on a full disk), nothing would hand the seat back before it expires: the keepalive is stopped
 * and the seat checked in now, and the step fails saying so.
 */
async function saveOrHandBack(io: ActionIO, service: LicenseService, saved: SavedConsumption, stopKeepalive?: MainDeps['stopKeepalive']): Promise<void> {
  try {
    saveConsumption(io, saved);
    return;
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    if (saved.keepalive) await stopKeepalive?.(saved).catch(() => undefined);
    let fate: string;
    if (!saved.checkIn) {
      fate = saved.checkoutType === 'PERPETUAL' ? 'a PERPETUAL consumption stands' : `check-in is off, so the consumption lasts until ${saved.expiration ?? 'it expires'}`;
    } else {
      try {
        await service.checkIn(saved.consumptionToken, saved.beneficiary);
        fate = 'the seat was checked in again';
      } catch (e) {
        fate = `checking the seat in again failed too (${e instanceof Error ? e.message : String(e)}); it returns by itself at ${saved.expiration ?? 'its expiry'}`;
      }
    }
    throw new ActionFailure(`Could not save the state the post step needs (${why}): ${fate}.`);
  }
}

async function lookUpLicense(deps: MainDeps, service: LicenseService, inputs: ActionInputs): Promise<LicenseDetails | undefined> {
  const arn = inputs.license.licenseArn;
  if (!arn) return undefined;
  try {
    const license = await service.getLicense(arn, deps.signal);
    deps.io.info(`License ${arn}: ${license.productName ?? license.productSku} (SKU ${license.productSku}), issuer ${license.issuerName}, status ${license.status}`);
    return license;
  } catch (error) {
    if (!(error instanceof AwsFailure)) throw error;
    // AWS tells another account that a license it was not granted does not exist.
    const granted = error.kind === 'not-found' || error.kind === 'misconfigured'
      ? ` If it is an ISV's license, this account sees it only once granted: aws license-manager list-received-grants --filters Name=LicenseArn,Values=${arn}`
      : '';
    throw new ActionFailure(explainFailure(error, `license ${arn}`) + granted);
  }
}

function describeSubject(inputs: ActionInputs, license: LicenseDetails | undefined): string {
  if (license) return `license ${license.licenseArn} (SKU ${license.productSku}, fingerprint ${license.keyFingerprint})`;
  const { productSku, keyFingerprint } = productOf(inputs, undefined);
  return `SKU ${productSku} (fingerprint ${keyFingerprint})`;
}

/** What CheckoutLicense names: read from the license when license-arn was given, else the inputs. */
function productOf(inputs: ActionInputs, license: LicenseDetails | undefined): { productSku: string; keyFingerprint: string } {
  if (license) return { productSku: license.productSku, keyFingerprint: license.keyFingerprint };
  const l = inputs.license as { productSku: string; keyFingerprint: string };
  return { productSku: l.productSku, keyFingerprint: l.keyFingerprint };
}

async function publish(
  deps: MainDeps,
  service: LicenseService,
  inputs: ActionInputs,
  c: Consumption,
  license: LicenseDetails | undefined,
  waitedMs: number,
): Promise<void> {
  const { io } = deps;
  // Mask first: nothing below may print a token before the runner knows to hide it.
  io.setSecret(c.consumptionToken);
  if (c.signedToken) io.setSecret(c.signedToken);
  const licenseArn = c.licenseArn ?? license?.licenseArn;
  const expiration = parseAwsTime(c.expiration);
  const saved: SavedConsumption = {
    v: 1,
    mode: inputs.mode,
    licenseArn,
    consumptionToken: c.consumptionToken,
    checkoutType: inputs.mode === 'borrow' ? 'BORROW' : inputs.checkoutType,
    checkIn: inputs.checkIn && earlyCheckInAllowed(io, inputs, license),
    region: inputs.region,
    beneficiary: inputs.beneficiary,
    nodeId: c.nodeId ?? '',
    expiration: expiration && isoUtc(expiration),
  };
  // Saved before anything else can fail, so the post step can always hand the seat back.
  await saveOrHandBack(io, service, saved);

  const named = inputs.license.licenseArn;
  if (inputs.mode === 'checkout' && named && c.licenseArn && c.licenseArn !== named) {
    io.setOutput('entitled', 'false');
    const handedBack = saved.checkIn ? await checkInNow(io, service, saved, 'another license than license-arn was consumed') : false;
    const fate = handedBack
      ? 'That consumption was checked in again.'
      : saved.checkoutType === 'PERPETUAL'
        ? 'A PERPETUAL checkout cannot be handed back: that consumption of the other license stands.'
        : saved.checkIn ? 'The post step will try to check that consumption in.' : 'Check-in is off, so that consumption lasts until it expires.';
    throw new ActionFailure(
      `CheckoutLicense consumed license ${c.licenseArn}, not ${named} that license-arn names: both have SKU ${license?.productSku ?? '?'} and fingerprint ${license?.keyFingerprint ?? '?'}, which CheckoutLicense cannot tell apart (AWS takes the most recently created). ${fate} ` +
        'Give the licenses different product SKUs, or deactivate the other one; if either license will do, use product-sku and key-fingerprint instead of license-arn.',
    );
  }

  const cmp = compareGrant(inputs.entitlements, c.granted);
  if (cmp.missingRequired.length > 0) {
    io.setOutput('entitlements', JSON.stringify(cmp.granted));
    io.setOutput('missing', JSON.stringify([...cmp.missingRequired, ...cmp.missingOptional].map((m) => m.name)));
    const granted = cmp.granted.map(describe).join(', ') || 'nothing';
    const handedBack = await checkInNow(io, service, saved, 'required entitlements were missing');
    await writeSummary(
      io,
      checkoutSummary({
        title: 'License check failed: required entitlements missing',
        licenseArn,
        productSku: license?.productSku,
        nodeId: saved.nodeId,
        checkoutType: saved.checkoutType,
        granted: cmp.granted,
        missing: [...cmp.missingRequired, ...cmp.missingOptional],
        notes: [handedBack ? 'The partial grant was checked in' : 'The partial grant is checked in by the post step'],
      }),
    );
    throw new ActionFailure(
      `Not entitled: missing required ${cmp.missingRequired.map(describe).join(', ')}; granted ${granted}. ${handedBack ? 'The partial grant was checked in.' : 'The post step will try to check the partial grant in.'}`,
    );
  }
  if (deps.signal?.aborted) {
    const handedBack = await checkInNow(io, service, saved, 'the job was cancelled');
    throw new Cancelled(`Cancelled right after the checkout; ${handedBack ? 'the seat was checked in again' : 'the post step will check the seat in'}.`);
  }

  const notes: string[] = [];
  if (inputs.mode === 'borrow' && c.signedToken) {
    const path = await deps.writeTokenFile?.(c.signedToken, inputs);
    if (path) io.setOutput('token-file', path);
    const problem = await deps.verifyBorrowed?.(c.signedToken, inputs, saved.nodeId);
    if (problem) throw new ActionFailure(`The borrowed token did not verify: ${problem}`);
    if (inputs.publicKey || inputs.publicKeyFile || inputs.kmsKeyId) notes.push('Signed token verified');
  }
  if (inputs.keepalive && deps.startKeepalive) {
    let keepalive: SavedConsumption['keepalive'];
    try {
      keepalive = await deps.startKeepalive(saved, inputs);
    } catch (error) {
      // The seat is still ours until it expires and the post step still checks it in.
      io.warning(`The keepalive did not start (${error instanceof Error ? error.message : String(error)}); the consumption lapses at ${saved.expiration ?? 'its expiry'} unless the job ends first.`);
    }
    if (keepalive) {
      // A keepalive the post step cannot find would extend a seat nobody hands back: stopped with it.
      await saveOrHandBack(io, service, { ...saved, keepalive }, deps.stopKeepalive);
      saved.keepalive = keepalive;
      notes.push('Keepalive running in the background');
      io.info(`Keepalive started (pid ${keepalive.pid}): it extends the consumption before each expiry until the post step.`);
    }
  }

  io.setOutput('entitled', 'true');
  io.setOutput('entitlements', JSON.stringify(cmp.granted));
  io.setOutput('missing', JSON.stringify(cmp.missingOptional.map((m) => m.name)));
  io.setOutput('license-consumption-token', c.consumptionToken);
  io.setOutput('signed-token', c.signedToken ?? '');
  io.setOutput('license-arn', licenseArn ?? '');
  io.setOutput('node-id', saved.nodeId);
  const issuedAt = parseAwsTime(c.issuedAt);
  io.setOutput('issued-at', issuedAt ? isoUtc(issuedAt) : '');
  io.setOutput('expiration', saved.expiration ?? '');
  io.setOutput('waited-seconds', String(Math.round(waitedMs / 1000)));

  const missing: EntitlementRequest[] = cmp.missingOptional;
  io.info(
    `Entitled: granted ${cmp.granted.map(describe).join(', ')}` +
      (missing.length ? `; optional not granted: ${missing.map((m) => m.name).join(', ')}` : '') +
      (saved.expiration ? `; expires ${saved.expiration}` : ''),
  );
  await writeSummary(io, 
    checkoutSummary({
      title: inputs.mode === 'borrow' ? 'License borrowed' : 'License checked out',
      licenseArn,
      productSku: productOf(inputs, license).productSku,
      nodeId: saved.nodeId,
      checkoutType: saved.checkoutType,
      granted: cmp.granted,
      missing,
      expiration: saved.expiration,
      waitedMs,
      notes,
    }),
  );
}
