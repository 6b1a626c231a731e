import { mainAction } from './main-wiring.js';

await mainAction();
