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
  keepalive?: { pid: number; statusFile: string };
}

const KEY = 'consumption';
const DONE = 'done';

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
  const key = stateKey(io.env, false);
  if (key ? !sealMatches(key, JSON.stringify(c), seal) : seal !== undefined) {
    return { kind: 'invalid', problem: "the saved state was not written by this step's main step (its seal does not match: tampered or foreign)" };
  }
  if (typeof c.consumptionToken !== 'string' || !/^[\w-]{8,2048}$/.test(c.consumptionToken)) {
    return { kind: 'invalid', problem: 'the saved state has no usable consumption token' };
  }
  if (typeof c.region !== 'string' || typeof c.nodeId !== 'string' || typeof c.checkIn !== 'boolean') {
    return { kind: 'invalid', problem: 'the saved state is missing fields' };
  }
  return { kind: 'consumption', consumption: c as SavedConsumption };
}
