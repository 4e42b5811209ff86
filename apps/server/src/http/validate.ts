import type { Request } from 'express';
import type { z } from 'zod';
import { badRequest } from './errors';

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid input';
  const path = issue.path.map(String).join('.');
  return path ? `${path}: ${issue.message}` : issue.message;
}

/** Parses `value` with `schema` or throws a 400 naming the first offending field. */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, where: string): z.infer<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw badRequest(`${where}: ${firstIssue(r.error)}`, r.error.issues.slice(0, 10).map((i) => ({ path: i.path.map(String).join('.'), message: i.message })));
  return r.data;
}

export const parseBody = <S extends z.ZodType>(schema: S, req: Request): z.infer<S> => parseWith(schema, req.body ?? {}, 'body');
export const parseQuery = <S extends z.ZodType>(schema: S, req: Request): z.infer<S> => parseWith(schema, req.query, 'query');
export const parseParams = <S extends z.ZodType>(schema: S, req: Request): z.infer<S> => parseWith(schema, req.params, 'params');
