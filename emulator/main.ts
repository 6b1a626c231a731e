/** `npm run emulator`: starts the emulator, prints its URL, stops cleanly on SIGINT/SIGTERM. */
import { USAGE, UsageError, parseArgs } from './cli-args.js';
import { startEmulator } from './server.js';

async function main(): Promise<void> {
  let options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`emulator: ${e.message}\n${USAGE}`);
    process.exit(2);
  }
  if (options.help) {
    console.log(USAGE);
    return;
  }
  const { verbose, help: _help, ...rest } = options;
  const emu = await startEmulator({ ...rest, ...(verbose ? { log: (line: string) => console.error(line) } : {}) });
  console.log(`License Manager / KMS / STS emulator listening on ${emu.url}`);
  const stop = (signal: string) => {
    console.error(`emulator: ${signal}, shutting down`);
    emu.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((e: unknown) => {
  console.error(`emulator: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
