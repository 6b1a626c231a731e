import { extendProcess } from './keepalive/extend-process.js';
import { exitWhenFlushed } from './step-exit.js';

await extendProcess();
// The client keeps its connections open; once the chain is done, nothing else is.
exitWhenFlushed();
