// `npm run bench [-- overhead seats daemon verify fleet]`: each benchmark prints ratios measured side by
// side in one run. Not part of `npm test`; nothing here asserts on time.
import { daemonBench } from './daemon.js';
import { fleetBench } from './fleet.js';
import { machine } from './lib.js';
import { overheadBench } from './overhead.js';
import { seatsBench } from './seats.js';
import { verifyBench } from './verify.js';

const benches: Record<string, () => Promise<void>> = { overhead: overheadBench, seats: seatsBench, daemon: daemonBench, verify: verifyBench, fleet: fleetBench };
const chosen = process.argv.slice(2).filter((a) => a !== '--');
const unknown = chosen.filter((name) => !(name in benches));
if (unknown.length) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; choose from ${Object.keys(benches).join(', ')}`);
  process.exit(2);
}
console.log(`# license-gate benchmarks\n\nMachine: ${machine()}`);
for (const name of chosen.length ? chosen : Object.keys(benches)) await benches[name]!();
