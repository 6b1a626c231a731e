import { mainAction } from './main-wiring.js';
import { exitWhenFlushed } from './step-exit.js';

await mainAction();
exitWhenFlushed();
