/**
 * Server-side request validation in the shape of AWS's own: the SDKs do not check required
 * members or lengths, so the service answers `ValidationException` with a message naming
 * every bad member, e.g.
 * `1 validation error detected: Value null at 'entitlements' failed to satisfy constraint: Member must not be null`.
 * Shapes are declared once; their TypeScript types are inferred from the declaration.
 */
import { AwsError, serializationError } from './errors.js';

interface StringShape { kind: 'string'; min?: number; max?: number; pattern?: RegExp; patternText?: string; enum?: readonly string[]; sensitive?: boolean }
interface NumberShape { kind: 'integer'; min?: number; max?: number }
interface BooleanShape { kind: 'boolean' }
interface ListShape<M extends Shape = Shape> { kind: 'list'; member: M; min?: number; max?: number }
interface StructShape<M extends Record<string, Shape> = Record<string, Shape>, R extends string = string> {
  kind: 'structure';
  members: M;
  required: readonly R[];
}
export type Shape = StringShape | NumberShape | BooleanShape | ListShape<Shape> | StructShape<Record<string, Shape>, string>;

export type Infer<S> = S extends StringShape
  ? string
  : S extends NumberShape
    ? number
    : S extends BooleanShape
      ? boolean
      : S extends ListShape<infer M>
        ? Infer<M>[]
        : S extends StructShape<infer M, infer R>
          ? { [K in keyof M & R]: Infer<M[K]> } & { [K in Exclude<keyof M, R>]?: Infer<M[K]> }
          : never;

export const str = (c: Omit<StringShape, 'kind'> = {}): StringShape => ({ kind: 'string', ...c });
export const int = (c: Omit<NumberShape, 'kind'> = {}): NumberShape => ({ kind: 'integer', ...c });
export const bool = (): BooleanShape => ({ kind: 'boolean' });
export const list = <M extends Shape>(member: M, c: { min?: number; max?: number } = {}): ListShape<M> => ({ kind: 'list', member, ...c });
export const struct = <M extends Record<string, Shape>, R extends keyof M & string = never>(
  members: M,
  required: readonly R[] = [],
): StructShape<M, R> => ({ kind: 'structure', members, required });
export const enumOf = (values: readonly string[]): StringShape => str({ enum: values });

/** AWS names members in lowerCamelCase in validation messages. */
const lowerCamel = (name: string): string => name.charAt(0).toLowerCase() + name.slice(1);

function describeValue(value: unknown, shape: Shape): string {
  if (shape.kind === 'string' && shape.sensitive) return '';
  const text = Array.isArray(value) ? `[${value.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))).join(', ')}]` : String(value);
  const shown = text.length > 256 ? `${text.slice(0, 256)}...` : text;
  return ` '${shown}'`;
}

function typeMismatch(path: string, expected: string): AwsError {
  return serializationError(`Unexpected value type at '${path}': expected ${expected}`);
}

function check(shape: Shape, value: unknown, path: string, errors: string[]): void {
  const fail = (constraint: string): void => {
    errors.push(`Value${describeValue(value, shape)} at '${path}' failed to satisfy constraint: ${constraint}`);
  };
  switch (shape.kind) {
    case 'string': {
      if (typeof value !== 'string') throw typeMismatch(path, 'a string');
      if (shape.min !== undefined && value.length < shape.min) fail(`Member must have length greater than or equal to ${shape.min}`);
      if (shape.max !== undefined && value.length > shape.max) fail(`Member must have length less than or equal to ${shape.max}`);
      if (shape.pattern && !shape.pattern.test(value)) fail(`Member must satisfy regular expression pattern: ${shape.patternText ?? shape.pattern.source}`);
      if (shape.enum && !shape.enum.includes(value)) fail(`Member must satisfy enum value set: [${shape.enum.join(', ')}]`);
      return;
    }
    case 'integer': {
      if (typeof value !== 'number' || !Number.isInteger(value)) throw typeMismatch(path, 'an integer');
      if (shape.min !== undefined && value < shape.min) fail(`Member must have value greater than or equal to ${shape.min}`);
      if (shape.max !== undefined && value > shape.max) fail(`Member must have value less than or equal to ${shape.max}`);
      return;
    }
    case 'boolean':
      if (typeof value !== 'boolean') throw typeMismatch(path, 'a boolean');
      return;
    case 'list': {
      if (!Array.isArray(value)) throw typeMismatch(path, 'a list');
      if (shape.min !== undefined && value.length < shape.min) fail(`Member must have length greater than or equal to ${shape.min}`);
      if (shape.max !== undefined && value.length > shape.max) fail(`Member must have length less than or equal to ${shape.max}`);
      value.forEach((item, i) => {
        const itemPath = `${path}.${i + 1}.member`;
        if (item === null || item === undefined) errors.push(`Value null at '${itemPath}' failed to satisfy constraint: Member must not be null`);
        else check(shape.member, item, itemPath, errors);
      });
      return;
    }
    case 'structure': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw typeMismatch(path || 'input', 'a structure');
      const record = value as Record<string, unknown>;
      for (const [name, memberShape] of Object.entries(shape.members)) {
        const memberPath = path ? `${path}.${lowerCamel(name)}` : lowerCamel(name);
        const member = record[name];
        if (member === null || member === undefined) {
          if (shape.required.includes(name)) errors.push(`Value null at '${memberPath}' failed to satisfy constraint: Member must not be null`);
        } else {
          check(memberShape, member, memberPath, errors);
        }
      }
      return;
    }
  }
}

/** Validates `input` against `shape`, throwing the AWS-formatted error code given (ValidationException / ValidationError). */
export function validate<S extends StructShape<Record<string, Shape>, string>>(shape: S, input: unknown, code = 'ValidationException'): Infer<S> {
  const errors: string[] = [];
  check(shape, input ?? {}, '', errors);
  if (errors.length > 0) {
    const count = errors.length === 1 ? '1 validation error detected' : `${errors.length} validation errors detected`;
    throw new AwsError(code, `${count}: ${errors.join('; ')}`);
  }
  return (input ?? {}) as Infer<S>;
}

/** A single-member failure in the same wording, for checks the declarative shapes cannot express. */
export function memberError(member: string, constraint: string, code = 'ValidationException'): AwsError {
  return new AwsError(code, `1 validation error detected: Value at '${member}' failed to satisfy constraint: ${constraint}`);
}
