/**
 * Secret-leak harness for e2e scenarios. It collects everything a step wrote where people or later
 * steps can read it, and reports any secret, any 12-character fragment of one, or its base64,
 * base64url or URL-encoded form that appears unmasked. It also learns the secrets AWS handed the
 * action (access tokens, STS keys, consumption and signed tokens) from a recording proxy in front of
 * the emulator, and samples every process's command line while steps run.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ActionResult } from './run-action.js';
import { tcpProxy } from './tcp-proxy.js';

export const FRAGMENT = 12;

/** Outputs that are secrets by design: the runner masks them; other steps read them on purpose. */
const SECRET_OUTPUTS = new Set(['license-consumption-token', 'signed-token']);

export interface Secret {
  what: string;
  value: string;
}

export interface Source {
  /** e.g. `main stdout`, `post GITHUB_ENV`, `keepalive.log`, `cmdline of pid 123`. */
  where: string;
  text: string;
  /** Values registered with ::add-mask:: before this text appeared; the runner shows them as ***. */
  masks: string[];
}

export interface Leak {
  secret: string;
  where: string;
  form: string;
  /** The surrounding text with the secret itself cut out, for the failure message. */
  context: string;
}

/**
 * Everything a step wrote: stdout line by line (masks apply from the line that registered them;
 * the ::add-mask:: lines themselves are exempt), stderr (after all the step's masks), the
 * GITHUB_OUTPUT values except the masked secret outputs, GITHUB_ENV and the step summary (files the
 * runner does not mask), and the keepalive's log next to its status file.
 */
export function collect(step: string, r: ActionResult): Source[] {
  const sources: Source[] = [];
  const masks: string[] = [];
  r.stdout.split('\n').forEach((line, i) => {
    if (line.startsWith('::add-mask::')) {
      masks.push(line.slice('::add-mask::'.length));
      return;
    }
    sources.push({ where: `${step} stdout line ${i + 1}`, text: line, masks: [...masks] });
  });
  sources.push({ where: `${step} stderr`, text: r.stderr, masks: [...masks] });
  for (const [name, value] of Object.entries(r.outputs)) {
    if (!SECRET_OUTPUTS.has(name)) sources.push({ where: `${step} GITHUB_OUTPUT ${name}`, text: value, masks: [] });
  }
  for (const [name, value] of Object.entries(r.exportedEnv)) sources.push({ where: `${step} GITHUB_ENV ${name}`, text: `${name}=${value}`, masks: [] });
  sources.push({ where: `${step} GITHUB_STEP_SUMMARY`, text: r.summary, masks: [] });
  return sources;
}

/** The keepalive's log (`keepalive.log` next to the status file the main step saved), if any. */
export function keepaliveLog(main: ActionResult): Source[] {
  let statusFile: string | undefined;
  try {
    statusFile = (JSON.parse(main.state.consumption ?? 'null') as { keepalive?: { statusFile?: string } } | null)?.keepalive?.statusFile;
  } catch {
    return [];
  }
  if (!statusFile) return [];
  const log = join(statusFile, '..', 'keepalive.log');
  return existsSync(log) ? [{ where: 'keepalive.log', text: readFileSync(log, 'utf8'), masks: [] }] : [];
}

/** The recognisable forms of a secret: itself, base64, base64url and URL-encoded. */
export function secretForms(value: string): Array<[string, string]> {
  const forms: Array<[string, string]> = [
    ['plain', value],
    ['base64', Buffer.from(value).toString('base64')],
    ['base64url', Buffer.from(value).toString('base64url')],
    ['url-encoded', encodeURIComponent(value)],
  ];
  return forms.filter(([form, v], i) => forms.findIndex(([, w]) => w === v) === i || form === 'plain');
}

function windows(text: string, size: number): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i + size <= text.length; i++) out.add(text.slice(i, i + size));
  return out;
}

/** Replaces masked values as the runner does. */
function applyMasks(text: string, masks: string[]): string {
  let out = text;
  for (const m of [...masks].sort((a, b) => b.length - a.length)) if (m.length > 0) out = out.split(m).join('***');
  return out;
}

/** Every secret (or fragment, or encoded form) visible in any source. */
export function findLeaks(sources: Source[], secrets: Secret[]): Leak[] {
  const leaks: Leak[] = [];
  const usable = secrets.filter((s) => s.value.length >= FRAGMENT);
  for (const source of sources) {
    const text = applyMasks(source.text, source.masks);
    if (text.length < FRAGMENT) continue;
    const seen = windows(text, FRAGMENT);
    for (const secret of usable) {
      forms: for (const [form, value] of secretForms(secret.value)) {
        for (let i = 0; i + FRAGMENT <= value.length; i++) {
          const fragment = value.slice(i, i + FRAGMENT);
          if (!seen.has(fragment)) continue;
          const at = text.indexOf(fragment);
          leaks.push({
            secret: secret.what,
            where: source.where,
            form,
            context: `${text.slice(Math.max(0, at - 40), at)}[${fragment.length} chars of the secret]${text.slice(at + FRAGMENT, at + FRAGMENT + 40)}`,
          });
          break forms; // one report per secret and source
        }
      }
    }
  }
  return leaks;
}

export function describeLeaks(leaks: Leak[]): string {
  return leaks.map((l) => `${l.secret} (${l.form}) in ${l.where}: ${JSON.stringify(l.context)}`).join('\n');
}

/** Samples /proc/<pid>/cmdline of every process every few milliseconds until stopped. */
export function sampleCommandLines(everyMs = 15): { stop(): Source[] } {
  const seen = new Map<string, string>();
  const sample = () => {
    let pids: string[];
    try {
      pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
    } catch {
      return;
    }
    for (const pid of pids) {
      try {
        const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
        if (cmd && !seen.has(cmd)) seen.set(cmd, pid);
      } catch {
        // gone already
      }
    }
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return [...seen].map(([cmd, pid]) => ({ where: `command line of pid ${pid}`, text: cmd, masks: [] }));
    },
  };
}

/**
 * A TCP proxy in front of the emulator that records every answer, so the test knows each secret
 * AWS handed the action: consumption tokens, signed tokens, access tokens, STS keys.
 */
export async function recordingProxy(targetPort: number): Promise<{ url: string; secrets(): Secret[]; close(): Promise<void> }> {
  const answers: Buffer[][] = [];
  const proxy = await tcpProxy(targetPort, (chunk, connection) => {
    (answers[connection] ??= []).push(chunk);
    return true;
  });
  return {
    ...proxy,
    secrets() {
      const text = answers.map((chunks) => Buffer.concat(chunks).toString('utf8')).join('\n');
      const found = new Map<string, string>();
      for (const m of text.matchAll(/"(AccessToken|LicenseConsumptionToken|SignedToken|Token)"\s*:\s*"([^"]+)"/g)) found.set(m[2]!, m[1]!);
      for (const m of text.matchAll(/<(SecretAccessKey|SessionToken)>([^<]+)</g)) found.set(m[2]!, m[1]!);
      return [...found].map(([value, what]) => ({ what, value }));
    },
  };
}
