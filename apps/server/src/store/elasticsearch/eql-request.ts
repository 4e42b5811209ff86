import type { estypes } from '@elastic/elasticsearch';
import type { RuleSearchRequest } from '../ports';

const DEFAULT_TIMESTAMP = '@timestamp';

/**
 * The run window as Kibana's detection engine filters it: a `range` on the timestamp override, and
 * when the override is not `@timestamp`, events lacking the override fall back to `@timestamp`.
 * The port's window is [from, to): `gte` / `lt`.
 */
export function buildWindowFilter(window: RuleSearchRequest['window'], timestampOverride: string | null): estypes.QueryDslQueryContainer {
  const primary = timestampOverride ?? DEFAULT_TIMESTAMP;
  const bounds = { gte: new Date(window.from).toISOString(), lt: new Date(window.to).toISOString(), format: 'strict_date_optional_time' };
  if (primary === DEFAULT_TIMESTAMP) return { range: { [primary]: bounds } };
  return {
    bool: {
      minimum_should_match: 1,
      should: [
        { range: { [primary]: bounds } },
        {
          bool: {
            filter: [{ range: { [DEFAULT_TIMESTAMP]: bounds } }, { bool: { must_not: { exists: { field: primary } } } }],
          },
        },
      ],
    },
  };
}

/**
 * The `_eql/search` request of a rule run: the rule's query over its index patterns, `size` =
 * max_signals, `timestamp_field` = the override, and the filter = the window plus the exceptions
 * (Kibana's exception filter, which suppresses matches, in `must_not`).
 */
export function buildEqlSearchRequest(
  req: Pick<RuleSearchRequest, 'query' | 'index' | 'window' | 'timestampOverride' | 'size'>,
  exceptionFilter: estypes.QueryDslQueryContainer | null,
): estypes.EqlSearchRequest {
  const filter: estypes.QueryDslBoolQuery = { filter: [buildWindowFilter(req.window, req.timestampOverride)] };
  if (exceptionFilter) filter.must_not = [exceptionFilter];
  return {
    index: req.index,
    query: req.query,
    size: req.size,
    timestamp_field: req.timestampOverride ?? DEFAULT_TIMESTAMP,
    filter: { bool: filter },
    // Older 8.x clusters reject `allow_partial_*`; their default already returns partial results,
    // which the adapter reports as `partial` with the reason.
    allow_no_indices: true,
  };
}

/**
 * The same window and index patterns, counting only what the exceptions suppress: the exception
 * query itself becomes a positive filter. Used for the run's suppressed counts and preview samples.
 */
export function buildSuppressedSearchRequest(
  req: Pick<RuleSearchRequest, 'query' | 'index' | 'window' | 'timestampOverride'>,
  exceptionFilter: estypes.QueryDslQueryContainer,
  size: number,
): estypes.EqlSearchRequest {
  return {
    index: req.index,
    query: req.query,
    size,
    timestamp_field: req.timestampOverride ?? DEFAULT_TIMESTAMP,
    filter: { bool: { filter: [buildWindowFilter(req.window, req.timestampOverride), exceptionFilter] } },
    allow_no_indices: true,
  };
}
