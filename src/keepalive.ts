import { keepaliveProcess } from './keepalive/run.js';

await keepaliveProcess();
