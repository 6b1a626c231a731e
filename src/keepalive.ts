import { keepaliveProcess } from './keepalive/run.js';

// No top-level await: this entry is bundled as CommonJS (see scripts/build.mjs).
keepaliveProcess().catch((error: unknown) => {
  process.exitCode = 1;
  console.error(error);
});
