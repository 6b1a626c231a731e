/** A problem with one action input, reported as one line that names the input. */
export class InputError extends Error {
  override readonly name = 'InputError';
  constructor(
    readonly input: string,
    readonly problem: string,
  ) {
    super(`Input '${input}': ${problem}`);
  }
}
