import { z } from 'zod';

/** The longest field name accepted anywhere (filters, queries, related events, exceptions). */
export const MAX_FIELD_NAME_LENGTH = 200;

/**
 * A dotted ECS-style field name: segments of letters, digits, `_`, `@`, `-` and `/` (Kubernetes annotation keys
 * such as `kubernetes.audit.annotations.authorization_k8s_io/decision`), joined by single dots. Nothing else, so a
 * name can be quoted into a JSON path or a query without escaping.
 */
const FIELD_NAME_RE = /^[A-Za-z0-9_@][A-Za-z0-9_@/-]*(?:\.[A-Za-z0-9_@/-]+)*$/;

/** True when `name` is a field name the server accepts. */
export function isFieldName(name: string): boolean {
  return name.length <= MAX_FIELD_NAME_LENGTH && FIELD_NAME_RE.test(name);
}

/** A field name as a request parameter. */
export const fieldNameSchema = z
  .string()
  .max(MAX_FIELD_NAME_LENGTH)
  .refine(isFieldName, 'expected a dotted field name such as container.id (letters, digits, _ @ - / between single dots)');
