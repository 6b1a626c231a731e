import { shown } from './quote.js';

const MAX_PROBLEM = 600;

/** A problem with one action input, reported as one line that names the input. */
export class InputError extends Error {
  override readonly name = 'InputError';
  readonly problem: string;
  constructor(
    readonly input: string,
    problem: string,
  ) {
    // Call sites quote values with shown(); this is the backstop that keeps the line one line.
    const line = shown(problem, MAX_PROBLEM);
    super(`Input '${input}': ${line}`);
    this.problem = line;
  }
}
