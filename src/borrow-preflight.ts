import { InputError } from './input-error.js';
import type { ActionInputs } from './inputs.js';
import { readKeyFile } from './token/key-source.js';
import { checkTokenFileTarget } from './token-file.js';

/**
 * What a borrow needs once its seat is taken, checked before it is taken: the key file must be
 * readable and the token file's target ours. Found only after the borrow, either would leave the
 * borrowed seat out until the token expires.
 */
export function borrowPreflight(inputs: ActionInputs): void {
  if (inputs.mode !== 'borrow') return;
  if (inputs.publicKeyFile) {
    const read = readKeyFile(inputs.publicKeyFile);
    if ('problem' in read) throw new InputError('public-key-file', `${read.problem}; nothing was borrowed`);
  }
  if (inputs.tokenFile) checkTokenFileTarget(inputs.tokenFile);
}
