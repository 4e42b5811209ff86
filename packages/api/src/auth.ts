import { z } from 'zod';
import { roleSchema } from './common';

/** What a user may do; sent to the UI, which disables what is not allowed and says why. */
export const abilitiesSchema = z.object({
  'alerts:read': z.boolean(),
  'alerts:triage': z.boolean(),
  'exceptions:read': z.boolean(),
  'exceptions:write': z.boolean(),
  'rules:read': z.boolean(),
  'rules:write': z.boolean(),
  'users:manage': z.boolean(),
  'audit:read': z.boolean(),
  ingest: z.boolean(),
});
export type Abilities = z.infer<typeof abilitiesSchema>;
export type Ability = keyof Abilities;

export const userSchema = z.object({
  username: z.string(),
  full_name: z.string().nullable(),
  roles: z.array(roleSchema),
  enabled: z.boolean(),
  created_at: z.string(),
});
export type User = z.infer<typeof userSchema>;

export const meResponseSchema = z.object({
  user: userSchema,
  abilities: abilitiesSchema,
  authentication: z.enum(['session', 'basic', 'api_key']),
});
export type MeResponse = z.infer<typeof meResponseSchema>;

export const loginSchema = z
  .object({ username: z.string().min(1).max(200), password: z.string().min(1).max(1000) })
  .strict();
export type Login = z.infer<typeof loginSchema>;

export const createUserSchema = z
  .object({
    username: z.string().regex(/^[a-zA-Z0-9_.@-]{1,64}$/),
    password: z.string().min(12).max(1000),
    full_name: z.string().max(200).optional(),
    roles: z.array(roleSchema).min(1),
  })
  .strict();
export type CreateUser = z.infer<typeof createUserSchema>;

export const updateUserSchema = z
  .object({
    password: z.string().min(12).max(1000).optional(),
    full_name: z.string().max(200).optional(),
    roles: z.array(roleSchema).min(1).optional(),
    enabled: z.boolean().optional(),
  })
  .strict();
export type UpdateUser = z.infer<typeof updateUserSchema>;

/** `POST /api/security/api_key`, Elasticsearch's request shape (role descriptors are not supported). */
export const createApiKeySchema = z
  .object({ name: z.string().min(1).max(200), expiration: z.string().regex(/^\d+[smhd]$/).optional() })
  .strict();
export type CreateApiKey = z.infer<typeof createApiKeySchema>;
export const createApiKeyResponseSchema = z.object({
  id: z.string(),
  name: z.string(),
  api_key: z.string(),
  encoded: z.string(),
  expiration: z.number().optional(),
});
export type CreateApiKeyResponse = z.infer<typeof createApiKeyResponseSchema>;

export const auditEventSchema = z.object({
  id: z.string(),
  '@timestamp': z.string(),
  user: z.string().nullable(),
  source_ip: z.string().nullable(),
  action: z.string(),
  outcome: z.enum(['success', 'failure']),
  target: z.object({ type: z.string(), id: z.string().nullable() }),
  before: z.unknown().nullable(),
  after: z.unknown().nullable(),
});
export type AuditEvent = z.infer<typeof auditEventSchema>;

/** `GET /api/users`. */
export const listUsersResponseSchema = z.object({ total: z.number(), users: z.array(userSchema) });
export type ListUsersResponse = z.infer<typeof listUsersResponseSchema>;

/** One key of `GET /api/security/api_key`, Elasticsearch's shape (times in epoch ms; no secret). */
export const apiKeyInfoSchema = z.object({
  id: z.string(),
  name: z.string(),
  username: z.string(),
  realm: z.string(),
  creation: z.number(),
  expiration: z.number().optional(),
  invalidated: z.boolean(),
});
export type ApiKeyInfoDto = z.infer<typeof apiKeyInfoSchema>;
export const listApiKeysResponseSchema = z.object({ api_keys: z.array(apiKeyInfoSchema) });

/** `DELETE /api/security/api_key`, Elasticsearch's invalidate response. */
export const invalidateApiKeysResponseSchema = z.object({
  invalidated_api_keys: z.array(z.string()),
  previously_invalidated_api_keys: z.array(z.string()),
  error_count: z.number(),
  error_details: z.array(z.object({ type: z.string(), reason: z.string() })).optional(),
});
export type InvalidateApiKeysResponse = z.infer<typeof invalidateApiKeysResponseSchema>;

/** `GET /api/audit`: one page of events, newest first. */
export const auditSearchResponseSchema = z.object({ total: z.number(), page: z.number(), size: z.number(), events: z.array(auditEventSchema) });
export type AuditSearchResponse = z.infer<typeof auditSearchResponseSchema>;
