import { InputError } from './input-error.js';
import { CONTROL_CHARS, shown } from './quote.js';
import { canonicalUnit, UNITS, type Unit } from './units.js';

export interface EntitlementRequest {
  name: string;
  /** Decimal string, as the API carries it; absent for a feature (Unit None), which is asked for by name. */
  value?: string;
  unit: Unit;
  optional: boolean;
}

/** What AWS granted: a feature's value is the license's own (often a word such as `Enabled`) or absent. */
export interface GrantedEntitlement {
  name: string;
  value?: string;
  unit: string;
}

const OPTIONAL_SUFFIX = /\(\s*optional\s*\)\s*$/i;
const NUMBER = /^(?:0|[1-9]\d*)(?:\.\d+)?$/;
const MAX_NAME = 255;

/**
 * Parses the `entitlements` grammar: one `NAME = VALUE [UNIT] [(optional)]` per line, or a line
 * that is only `NAME [(optional)]` for a feature (Unit None, no Value, as AWS Marketplace tiers
 * are asked for), or a JSON array of `{Name, Value, Unit, Optional}` where a feature has no Value.
 * Blank lines and `#` comments are skipped.
 */
export function parseEntitlements(text: string, input = 'entitlements'): EntitlementRequest[] {
  const trimmed = text.trim();
  if (trimmed === '') throw new InputError(input, 'is empty; give at least one line like `Seats = 1 Count`');
  const list = trimmed.startsWith('[') ? fromJson(trimmed, input) : fromLines(trimmed, input);
  const seen = new Set<string>();
  for (const e of list) {
    if (seen.has(e.name)) throw new InputError(input, `entitlement '${shown(e.name)}' is listed twice`);
    seen.add(e.name);
  }
  return list;
}

function fromLines(text: string, input: string): EntitlementRequest[] {
  const out: EntitlementRequest[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const where = `line ${index + 1} ('${shown(line)}')`;
    const eq = line.indexOf('=');
    const optional = OPTIONAL_SUFFIX.test(line);
    if (eq < 0) {
      out.push(checked(line.replace(OPTIONAL_SUFFIX, '').trim(), undefined, 'None', optional, input, where));
      return;
    }
    const rest = line.slice(eq + 1).replace(OPTIONAL_SUFFIX, '').trim().split(/\s+/).filter(Boolean);
    if (rest.length === 0 || rest.length > 2) {
      throw new InputError(input, `${where}: expected a value and an optional unit after '='`);
    }
    out.push(checked(line.slice(0, eq).trim(), rest[0]!, rest[1], optional, input, where));
  });
  if (out.length === 0) throw new InputError(input, 'lists no entitlement');
  return out;
}

function fromJson(text: string, input: string): EntitlementRequest[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new InputError(input, 'starts with `[` but is not valid JSON');
  }
  if (!Array.isArray(parsed) || parsed.length === 0) throw new InputError(input, 'must be a non-empty JSON array');
  return parsed.map((item: unknown, i) => {
    const where = `item ${i + 1}`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      throw new InputError(input, `${where} must be an object like {"Name": "Seats", "Value": "1", "Unit": "Count"}`);
    }
    const field = (key: string): unknown => {
      const rec = item as Record<string, unknown>;
      return rec[key] ?? rec[key.toLowerCase()];
    };
    const name = field('Name');
    const value = field('Value');
    const unit = field('Unit');
    const optional = field('Optional') ?? false;
    if (typeof name !== 'string') throw new InputError(input, `${where}: Name must be a string`);
    if (value !== undefined && typeof value !== 'string' && typeof value !== 'number') {
      throw new InputError(input, `${where}: Value must be a number or a decimal string, or absent for a feature`);
    }
    if (unit !== undefined && typeof unit !== 'string') throw new InputError(input, `${where}: Unit must be a string`);
    if (typeof optional !== 'boolean') throw new InputError(input, `${where}: Optional must be true or false`);
    return checked(name.trim(), value === undefined ? undefined : String(value), unit ?? (value === undefined ? 'None' : undefined), optional, input, where);
  });
}

function checked(
  name: string,
  value: string | undefined,
  unitText: string | undefined,
  optional: boolean,
  input: string,
  where: string,
): EntitlementRequest {
  if (name === '') throw new InputError(input, `${where}: the entitlement name is empty`);
  if (CONTROL_CHARS.test(name)) throw new InputError(input, `${where}: the name '${shown(name)}' contains a control character`);
  if (name.length > MAX_NAME) throw new InputError(input, `${where}: the name is longer than ${MAX_NAME} characters`);
  const unit = unitText === undefined ? 'Count' : canonicalUnit(unitText);
  if (unit === undefined) {
    throw new InputError(input, `${where}: unit '${shown(unitText ?? '')}' is not one of AWS's units (${UNITS.join(', ')})`);
  }
  if (value === undefined) {
    if (unit !== 'None') throw new InputError(input, `${where}: a value is required for unit ${unit}; only a feature (Unit None) is asked for by name alone`);
    return { name, unit, optional };
  }
  if (!NUMBER.test(value)) {
    const hint = /[a-z]/i.test(value) ? ' (a feature is asked for by its name alone)' : '';
    throw new InputError(input, `${where}: value '${shown(value)}' is not a non-negative decimal number${hint}`);
  }
  if (unit === 'Count' && (!/^\d+$/.test(value) || Number(value) < 1)) {
    throw new InputError(input, `${where}: a Count must be a whole number of at least 1, not '${shown(value)}'`);
  }
  return { name, value, unit, optional };
}

export interface GrantComparison {
  granted: GrantedEntitlement[];
  missingRequired: EntitlementRequest[];
  missingOptional: EntitlementRequest[];
}

/** Sorts what was asked into granted and missing, matching by name (units and values as granted). */
export function compareGrant(asked: readonly EntitlementRequest[], allowed: readonly GrantedEntitlement[]): GrantComparison {
  const byName = new Map(allowed.map((a) => [a.name, a]));
  const missing = asked.filter((a) => !byName.has(a.name));
  return {
    granted: asked.flatMap((a) => {
      const g = byName.get(a.name);
      return g ? [g] : [];
    }),
    missingRequired: missing.filter((a) => !a.optional),
    missingOptional: missing.filter((a) => a.optional),
  };
}

/** `Seats = 1 Count`, `Premium = Enabled` (a feature with its value), `Premium (feature)`, for messages. */
export function describe(e: { name: string; value?: string; unit?: string }): string {
  if (e.value === undefined || e.value === '') return e.unit === undefined || e.unit === 'None' ? `${e.name} (feature)` : `${e.name} ${e.unit}`;
  return e.unit === 'None' ? `${e.name} = ${e.value}` : `${e.name} = ${e.value} ${e.unit ?? ''}`.trim();
}
