/** Inputs of the Elasticsearch-compatible endpoints: path parameters, query strings, and the setup bodies shippers PUT. */
import { isBodyParserError } from '../../http/route';
import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import { ElasticsearchError } from './es-errors';
import { isJsonContentType } from './media-type';
import type { PipelineSummary, PolicySummary, TemplateSummary } from './setup-records';

export const nameParams = z.object({ name: z.string() });
export const idParams = z.object({ id: z.string() });
export const indexParams = z.object({ index: z.string() });
/** `?create=true` refuses to replace an existing template (other parameters, `master_timeout` and such, are ignored). */
export const putQuery = z.object({ create: z.enum(['true', 'false']).optional() });

const patternText = z.string().min(1).max(255);

export const templateBodySchema = z.object({
  index_patterns: z.union([patternText, z.array(patternText).min(1).max(64)]),
  priority: z.number().int().nonnegative().optional(),
  composed_of: z.array(z.string().max(255)).max(64).optional(),
  version: z.number().int().optional(),
  data_stream: z.record(z.string(), z.unknown()).optional(),
  template: z.record(z.string(), z.unknown()).optional(),
  _meta: z.record(z.string(), z.unknown()).optional(),
});

const PHASES: readonly string[] = ['hot', 'warm', 'cold', 'frozen', 'delete'];

export const policyBodySchema = z.object({
  policy: z.object({
    phases: z
      .record(z.string().max(40), z.unknown())
      .refine((phases) => Object.keys(phases).every((p) => PHASES.includes(p)), { message: `phases must be among [${PHASES.join(', ')}]` })
      .optional(),
    _meta: z.record(z.string(), z.unknown()).optional(),
  }),
});

export const pipelineBodySchema = z.object({
  description: z.string().max(4096).optional(),
  processors: z.array(z.unknown()).max(10_000),
  on_failure: z.array(z.unknown()).max(10_000).optional(),
  version: z.number().int().optional(),
  _meta: z.record(z.string(), z.unknown()).optional(),
});

export const summarizeTemplate = (b: z.infer<typeof templateBodySchema>): TemplateSummary => ({
  index_patterns: typeof b.index_patterns === 'string' ? [b.index_patterns] : b.index_patterns,
  priority: b.priority ?? null,
  composed_of: b.composed_of ?? [],
  data_stream: b.data_stream !== undefined,
  version: b.version ?? null,
});

export const summarizePolicy = (b: z.infer<typeof policyBodySchema>): PolicySummary => ({ phases: Object.keys(b.policy.phases ?? {}) });

export const summarizePipeline = (b: z.infer<typeof pipelineBodySchema>): PipelineSummary => ({
  description: b.description ?? null,
  processors: b.processors.length,
  version: b.version ?? null,
});

function bodyError(err: unknown, limit: string): unknown {
  if (!isBodyParserError(err)) return err;
  if (err.type === 'entity.too.large') return new ElasticsearchError(413, 'illegal_argument_exception', `the request body is larger than [${limit}]`);
  if (err.type === 'entity.parse.failed') return new ElasticsearchError(400, 'x_content_parse_exception', 'the request body is not valid JSON');
  if (err.status === 415) return new ElasticsearchError(415, 'media_type_header_exception', `the request body cannot be read (${err.type})`);
  return new ElasticsearchError(400, 'parse_exception', `the request body cannot be read (${err.type})`);
}

/**
 * Reads a JSON body (plain or compatibility media type, identity, gzip or deflate, at most `limit`), as
 * Elasticsearch: another Content-Type is refused with 406, a missing body with 400.
 */
export async function readJsonBody(req: Request, res: Response, limit: string): Promise<unknown> {
  const contentType = req.headers['content-type'];
  if (!isJsonContentType(contentType)) {
    req.resume();
    throw new ElasticsearchError(406, 'media_type_header_exception', `Content-Type header [${String(contentType ?? '').slice(0, 100)}] is not supported`);
  }
  const parse = express.json({ limit, type: () => true });
  await new Promise<void>((resolve, reject) => {
    void parse(req, res, (err?: unknown) => (err === undefined || err === null ? resolve() : reject(bodyError(err, limit))));
  });
  // body-parser leaves `body` undefined when the request has none
  const body: unknown = req.body;
  if (body === undefined) throw new ElasticsearchError(400, 'parse_exception', 'request body is required');
  return body;
}

/** `body` parsed with `schema`, or 400 naming the first offending field, as Elasticsearch's validation does. */
export function parseSetupBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const where = issue && issue.path.length > 0 ? `[${issue.path.map(String).join('.')}] ` : '';
  throw new ElasticsearchError(400, 'action_request_validation_exception', `Validation Failed: 1: ${where}${issue?.message ?? 'invalid body'};`);
}
