import type { ApiKeyInfoDto, CreateApiKeyResponse } from '@execwatch/api';

export type ApiKeyStatus = 'active' | 'expired' | 'revoked';

/** Whether a key still works at `now`. */
export function apiKeyStatus(key: Pick<ApiKeyInfoDto, 'invalidated' | 'expiration'>, now: number = Date.now()): ApiKeyStatus {
  if (key.invalidated) return 'revoked';
  if (key.expiration !== undefined && key.expiration <= now) return 'expired';
  return 'active';
}

/** The expiry choices of the create form (Elasticsearch's duration syntax); '' is no expiry. */
export const EXPIRY_CHOICES: ReadonlyArray<{ value: string; text: string }> = [
  { value: '1d', text: '1 day' },
  { value: '7d', text: '7 days' },
  { value: '30d', text: '30 days' },
  { value: '90d', text: '90 days' },
  { value: '365d', text: '1 year' },
  { value: '', text: 'Never' },
];

/** The ways to use a new key, each ready to copy: the header, curl, Filebeat and Elastic Agent. */
export function apiKeySnippets(key: Pick<CreateApiKeyResponse, 'id' | 'api_key' | 'encoded'>, origin: string): { header: string; curl: string; filebeat: string; agent: string } {
  const idAndKey = `${key.id}:${key.api_key}`;
  return {
    header: `Authorization: ApiKey ${key.encoded}`,
    curl: `curl -H "Authorization: ApiKey ${key.encoded}" -H "content-type: application/x-ndjson" \\\n  -X POST ${origin}/_bulk --data-binary @events.ndjson`,
    filebeat: ['output.elasticsearch:', `  hosts: ["${origin}"]`, `  api_key: "${idAndKey}"`].join('\n'),
    agent: ['outputs:', '  default:', '    type: elasticsearch', `    hosts: ["${origin}"]`, `    api_key: "${idAndKey}"`].join('\n'),
  };
}
