import { writeFileSync } from 'node:fs';
import { awsPayload, LICENSE_ARN, publicPem, signToken } from '../test/unit/token-fixtures.js';
import { githubEnv, newJob } from '../test/support/run-action.js';
const hour = 3_600_000;
const at = (offset: number) => new Date(Date.now() + offset).toISOString().replace(/\.\d{3}Z$/, '');
const token = signToken(awsPayload({ issuedAt: at(-hour), expiration: at(23 * hour) }));
const job = newJob();
const env = { HOME: job.dir, RUNNER_TEMP: job.runnerTemp, ...githubEnv(), GITHUB_ACTION: 'v1', INPUT_TOKEN: token, 'INPUT_PUBLIC-KEY': publicPem(), 'INPUT_LICENSE-ARN': LICENSE_ARN, 'INPUT_NODE-ID': 'runner-7', INPUT_ENTITLEMENTS: 'Seats = 5',
  GITHUB_OUTPUT: job.dir + '/out', GITHUB_STATE: job.dir + '/state', GITHUB_ENV: job.dir + '/env', GITHUB_STEP_SUMMARY: job.dir + '/sum' };
writeFileSync('/tmp/verify.env', Object.entries(env).map(([k, v]) => `${k}=${v.replace(/\n/g, '\\n')}`).join('\n') + '\n');
