import { runnerIO } from './runner-io.js';
import { exitWhenFlushed } from './step-exit.js';
import { verifyAction } from './verify-action.js';

await verifyAction(runnerIO());
exitWhenFlushed();
