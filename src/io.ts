import { flattened } from './quote.js';

/**
 * The runner protocol as the action's logic sees it. Logic takes an ActionIO so unit tests drive
 * it with a recording fake; the entry points pass `lineSafe(runnerIO())`.
 */
export interface ActionIO {
  getInput(name: string): string;
  setOutput(name: string, value: string): void;
  setSecret(value: string): void;
  saveState(name: string, value: string): void;
  getState(name: string): string;
  info(line: string): void;
  warning(line: string): void;
  error(line: string): void;
  setFailed(line: string): void;
  /** Appends markdown to the job summary; never given secrets. */
  appendSummary(markdown: string): Promise<void>;
  env: Readonly<Record<string, string | undefined>>;
}

/** A job summary that cannot be written is worth a warning, never a failed step. */
export async function writeSummary(io: ActionIO, markdown: string): Promise<void> {
  try {
    await io.appendSummary(markdown);
  } catch (error) {
    io.warning(`Could not write the job summary: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * The steps log one line per stage; flattening every log line keeps a value from an AWS answer
 * (a product name, an entitlement name) from starting a workflow command on a line of its own.
 */
export function lineSafe(io: ActionIO): ActionIO {
  return {
    ...io,
    info: (line) => io.info(flattened(line)),
    warning: (line) => io.warning(flattened(line)),
    error: (line) => io.error(flattened(line)),
    setFailed: (line) => io.setFailed(flattened(line)),
  };
}
