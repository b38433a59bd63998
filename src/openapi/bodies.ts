import type { RequestBody, Schema } from './types';

type FieldsType = 'multipart/form-data' | 'application/x-www-form-urlencoded' | 'application/json';

/**
 * A request body of fields. parseBody accepts all three types; `first` is the one the docs
 * page offers by default: multipart (Postman's "form-data", as in the tutorial) for user
 * routes, urlencoded for the OAuth routes (RFC 7662 §2.1, RFC 7009 §2.1).
 */
export function fieldsBody(schema: Schema, description: string, first: FieldsType = 'multipart/form-data'): RequestBody {
  const order: FieldsType[] = [first, 'multipart/form-data', 'application/x-www-form-urlencoded', 'application/json'];
  const content: RequestBody['content'] = {};
  for (const type of order) content[type] ??= { schema };
  return { description, required: true, content };
}
