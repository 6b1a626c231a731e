import type { ActionIO } from './io.js';

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
  io.saveState(KEY, JSON.stringify(c));
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
  const c = parsed as Partial<SavedConsumption> | null;
  if (!c || typeof c !== 'object' || c.v !== 1) return { kind: 'invalid', problem: 'the saved state has an unknown format' };
  if (typeof c.consumptionToken !== 'string' || !/^[\w-]{8,2048}$/.test(c.consumptionToken)) {
    return { kind: 'invalid', problem: 'the saved state has no usable consumption token' };
  }
  if (typeof c.region !== 'string' || typeof c.nodeId !== 'string' || typeof c.checkIn !== 'boolean') {
    return { kind: 'invalid', problem: 'the saved state is missing fields' };
  }
  return { kind: 'consumption', consumption: c as SavedConsumption };
}
