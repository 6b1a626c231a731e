import * as core from '@actions/core';
import type { ActionIO } from './io.js';

export function coreIO(): ActionIO {
  return {
    getInput: (name) => core.getInput(name),
    setOutput: (name, value) => core.setOutput(name, value),
    setSecret: (value) => core.setSecret(value),
    saveState: (name, value) => core.saveState(name, value),
    getState: (name) => core.getState(name),
    info: (line) => core.info(line),
    warning: (line) => core.warning(line),
    error: (line) => core.error(line),
    setFailed: (line) => core.setFailed(line),
    appendSummary: async (markdown) => {
      if (!process.env.GITHUB_STEP_SUMMARY) return;
      await core.summary.addRaw(markdown, true).write();
    },
    env: process.env,
  };
}
