import { postAction } from './post-wiring.js';
import { exitWhenFlushed } from './step-exit.js';

await postAction();
exitWhenFlushed();
