import type { ActionIO } from './io.js';
import { runnerIO } from './runner-io.js';

/** The entry points' ActionIO: the runner protocol, written as @actions/core writes it. */
export function coreIO(): ActionIO {
  return runnerIO();
}
