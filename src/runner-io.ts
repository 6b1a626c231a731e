import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { EOL } from 'node:os';
import type { ActionIO } from '../io.js';

export type StepIO = Pick<ActionIO, 'getInput' | 'setOutput' | 'setSecret' | 'info' | 'warning' | 'setFailed' | 'appendSummary'>;

/**
 * The runner protocol written directly, as @actions/core writes it. Loading @actions/core costs
 * about 100 ms (it pulls in an HTTP client for OIDC), more than the whole verify step may take.
 */
export function runnerIO(env: NodeJS.ProcessEnv = process.env, write = (text: string) => void process.stdout.write(text)): StepIO {
  const command = (name: string, message: string) => write(`::${name}::${escapeData(message)}${EOL}`);
  return {
    getInput: (name) => (env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim(),
    setOutput: (name, value) => {
      if (!env.GITHUB_OUTPUT) return command(`set-output name=${name}`, value);
      const delimiter = `ghadelimiter_${randomUUID()}`;
      appendFileSync(env.GITHUB_OUTPUT, `${name}<<${delimiter}${EOL}${value}${EOL}${delimiter}${EOL}`);
    },
    setSecret: (value) => command('add-mask', value),
    info: (line) => write(`${line}${EOL}`),
    warning: (line) => command('warning', line),
    setFailed: (line) => {
      process.exitCode = 1;
      command('error', line);
    },
    appendSummary: async (markdown) => {
      if (env.GITHUB_STEP_SUMMARY) appendFileSync(env.GITHUB_STEP_SUMMARY, `${markdown}${EOL}`);
    },
  };
}

/** A workflow command's data may not contain line breaks, and `%` is its escape character. */
function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
