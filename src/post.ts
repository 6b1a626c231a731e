import { postAction } from './post-wiring.js';

await postAction();
