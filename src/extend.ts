import { extendProcess } from './keepalive/extend-process.js';

await extendProcess();
