import { ActionFailure } from './failure.js';
import type { ActionIO } from './io.js';
import { sealMatches, sealOf, stateKey } from './state-seal.js';

/** What the main step leaves for the post step (saved with saveState, read from STATE_*). */
export interface SavedConsumption {
  v: 1;
  mode: 'checkout' | 'borrow';
  licenseArn?: string;
  consumptionToken: string;
  checkoutType: 'PROVISIONAL' | 'PERPETUAL' | 'BORROW';
  checkIn: boolean;
  region: string;
  beneficiary?: string;
  nodeId: string;
  expiration?: string;
  /** The keepalive the post step stops: its pid, its status file, and its start time as /proc gives it (a recycled pid has another). */
  keepalive?: { pid: number; statusFile: string; startTime?: string };
}

const KEY = 'consumption';
const DONE = 'done';

/**
 * Makes (or finds) the key the state is sealed with, before any seat is taken: a key that cannot
 * be made or trusted fails the step while there is nothing yet to hand back.
 */
export function prepareState(io: ActionIO): void {
  try {
    stateKey(io.env, true);
  } catch (error) {
    throw new ActionFailure(`Cannot keep the state for the post step: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export function saveConsumption(io: ActionIO, c: SavedConsumption): void {
  const body = JSON.stringify(c);
  const key = stateKey(io.env, true);
  io.saveState(KEY, key ? JSON.stringify({ ...c, seal: sealOf(key, body) }) : body);
}

/** Marks the consumption as already handed back, so the post step has nothing left to do. */
export function markDone(io: ActionIO, how: string): void {
  io.saveState(DONE, how);
}

export type LoadedState =
  | { kind: 'none' }
  | { kind: 'done'; how: string }
  | { kind: 'invalid'; problem: string }
  | { kind: 'consumption'; consumption: SavedConsumption };

/** Reads the state defensively: a post step must never act on state it cannot trust. */
export function loadConsumption(io: ActionIO): LoadedState {
  const done = io.getState(DONE);
  if (done) return { kind: 'done', how: done };
  const raw = io.getState(KEY);
  if (!raw) return { kind: 'none' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return { kind: 'invalid', problem: 'the saved state is not JSON (truncated?)' };
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return { kind: 'invalid', problem: 'the saved state has an unknown format' };
  const { seal, ...c } = parsed as Partial<SavedConsumption> & { seal?: unknown };
  if (c.v !== 1) return { kind: 'invalid', problem: 'the saved state has an unknown format' };
  let key: Buffer | undefined;
  try {
    key = stateKey(io.env, false);
  } catch (error) {
    return { kind: 'invalid', problem: `the key its seal is checked with cannot be trusted: ${(error instanceof Error ? error.message : String(error)).replace(/\.$/, '')}` };
  }
  if (key ? !sealMatches(key, JSON.stringify(c), seal) : seal !== undefined) {
    return { kind: 'invalid', problem: "the saved state was not written by this step's main step (its seal does not match: tampered or foreign)" };
  }
  if (typeof c.consumptionToken !== 'string' || !/^[\w-]{8,2048}$/.test(c.consumptionToken)) {
    return { kind: 'invalid', problem: 'the saved state has no usable consumption token' };
  }
  if (typeof c.region !== 'string' || typeof c.nodeId !== 'string' || typeof c.checkIn !== 'boolean') {
    return { kind: 'invalid', problem: 'the saved state is missing fields' };
  }
  const k = c.keepalive as { pid?: unknown; statusFile?: unknown; startTime?: unknown } | undefined;
  if (k !== undefined && (typeof k !== 'object' || k === null || !Number.isSafeInteger(k.pid) || (k.pid as number) < 0 || typeof k.statusFile !== 'string' || (k.startTime !== undefined && typeof k.startTime !== 'string'))) {
    return { kind: 'invalid', problem: 'the saved state names no usable keepalive' };
  }
  return { kind: 'consumption', consumption: c as SavedConsumption };
}
