import { runnerIO } from './runner-io.js';
import { verifyAction } from './verify-action.js';

await verifyAction(runnerIO());
