/** NextToken paging as License Manager's List* operations do it (an opaque token, MaxResults up to 100). */
import { validationError } from './errors.js';

export function page<T>(items: readonly T[], input: { NextToken?: string; MaxResults?: number }): { items: T[]; NextToken?: string } {
  const start = input.NextToken === undefined ? 0 : Number.parseInt(Buffer.from(input.NextToken, 'base64url').toString(), 10);
  if (!Number.isInteger(start) || start < 0 || start > items.length) throw validationError('Invalid NextToken');
  const end = start + (input.MaxResults ?? 100);
  return { items: items.slice(start, end), ...(end < items.length ? { NextToken: Buffer.from(String(end)).toString('base64url') } : {}) };
}

/** The `Filters` of a List* request as predicates; an unsupported name is the operation's InvalidParameterValueException. */
export function filtersOf<T>(
  filters: ReadonlyArray<{ Name?: string; Values?: string[] }> | undefined,
  fields: Record<string, (item: T) => string | undefined>,
  unsupported: (message: string) => Error,
): Array<(item: T) => boolean> {
  return (filters ?? []).map((f) => {
    const field = f.Name === undefined ? undefined : fields[f.Name];
    if (!field) throw unsupported(`Filter name '${f.Name ?? ''}' is not supported; use one of ${Object.keys(fields).join(', ')}`);
    return (item: T) => (f.Values ?? []).includes(field(item) ?? '');
  });
}
