import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { EOL } from 'node:os';
import type { ActionIO } from './io.js';

/** What the verify sub-action needs of the runner protocol. */
export type StepIO = Pick<ActionIO, 'getInput' | 'setOutput' | 'setSecret' | 'info' | 'warning' | 'setFailed' | 'appendSummary'>;

/**
 * The runner protocol written directly, exactly as @actions/core 3 writes it (workflow commands on
 * stdout, file commands for outputs and state, STATE_* and INPUT_* variables). @actions/core
 * itself statically imports an HTTP client (undici, for OIDC tokens this action never requests):
 * loading it costs more than a bare Node start (see README, Performance).
 */
export function runnerIO(env: NodeJS.ProcessEnv = process.env, write = (text: string) => void process.stdout.write(text)): ActionIO {
  const command = (name: string, message: string, properties: Record<string, string> = {}) => {
    const props = Object.entries(properties)
      .filter(([, v]) => v)
      .map(([k, v]) => `${k}=${escapeProperty(v)}`)
      .join(',');
    write(`::${name}${props ? ` ${props}` : ''}::${escapeData(message)}${EOL}`);
  };
  /** A file command (`GITHUB_OUTPUT`, `GITHUB_STATE`) with a random heredoc delimiter, or the legacy stdout command. */
  const keyValue = (file: 'OUTPUT' | 'STATE', legacy: string, name: string, value: string) => {
    const path = env[`GITHUB_${file}`];
    if (!path) {
      if (file === 'OUTPUT') write(EOL);
      return command(legacy, value, { name });
    }
    const delimiter = `ghadelimiter_${randomUUID()}`;
    if (name.includes(delimiter) || value.includes(delimiter)) throw new Error(`Unexpected input: the ${file.toLowerCase()} contains the delimiter "${delimiter}"`);
    appendFileSync(path, `${name}<<${delimiter}${EOL}${value}${EOL}${delimiter}${EOL}`, 'utf8');
  };
  return {
    getInput: (name) => (env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim(),
    setOutput: (name, value) => keyValue('OUTPUT', 'set-output', name, value),
    setSecret: (value) => command('add-mask', value),
    saveState: (name, value) => keyValue('STATE', 'save-state', name, value),
    getState: (name) => env[`STATE_${name}`] ?? '',
    info: (line) => write(`${line}${EOL}`),
    warning: (line) => command('warning', line),
    error: (line) => command('error', line),
    setFailed: (line) => {
      process.exitCode = 1;
      command('error', line);
    },
    appendSummary: async (markdown) => {
      if (env.GITHUB_STEP_SUMMARY) appendFileSync(env.GITHUB_STEP_SUMMARY, `${markdown}${EOL}`, 'utf8');
    },
    env,
  };
}

/** A workflow command's data may not contain line breaks, and `%` is its escape character. */
function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
