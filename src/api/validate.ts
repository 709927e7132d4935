import type { z } from 'zod';
import { HttpError } from './http-error';

/** Parses `value` or throws a 400 whose message names the first bad field. */
export function validate<S extends z.ZodType>(schema: S, value: unknown, where: string): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => ({
    path: [where, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
  const first = issues[0];
  throw new HttpError(400, 'invalid_request', first ? `${first.path}: ${first.message}` : `Invalid ${where}`, { issues });
}
