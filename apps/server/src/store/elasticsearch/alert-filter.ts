import type { estypes } from '@elastic/elasticsearch';
import { ALERT_QUERY_ALIASES, hasWildcard, parseAlertQuery, type AlertFilter, type AlertGroupField, type AlertQueryAlias, type AlertQueryTerm, type AlertSortField } from '@execwatch/api';
import { assertFieldName } from './context';
import { ALERT_RUNTIME_FIELDS, ALERT_TEXT_FIELD } from './indices';

type Query = estypes.QueryDslQueryContainer;

/** Keyword fields bare words are matched against as substrings (besides the analysed reason text). */
export const FREE_TEXT_KEYWORD_FIELDS = [
  'kibana.alert.rule.name',
  'user.name',
  'process.user.name',
  'orchestrator.namespace',
  'orchestrator.resource.name',
  'container.image.name',
  'container.id',
  'process.command_line',
  'host.name',
] as const;

/** Fields each short name of the query language means (any of them may match). */
export const QUERY_ALIAS_FIELDS: Record<AlertQueryAlias, string[]> = {
  status: ['kibana.alert.workflow_status'],
  severity: ['kibana.alert.severity'],
  rule: ['kibana.alert.rule.name', 'kibana.alert.rule.rule_id'],
  namespace: ['orchestrator.namespace'],
  pod: ['orchestrator.resource.name'],
  image: ['container.image.name', ALERT_RUNTIME_FIELDS.image],
  user: ['user.name', 'process.user.name'],
  cluster: ['orchestrator.cluster.name'],
  host: ['host.name'],
  tag: ['kibana.alert.workflow_tags'],
  assignee: ['kibana.alert.workflow_assignee_ids'],
  // written only for exact attributions (see features/attribution/alert-fields.ts)
  requested_by: ['kubernetes.audit.user.username'],
  attribution: ['execwatch.attribution.match'],
};

const isAlias = (field: string): field is AlertQueryAlias => (ALERT_QUERY_ALIASES as readonly string[]).includes(field); // widened so any string can be looked up

/** Escapes a value for a `wildcard` query where only `*` stays special. */
export function escapeWildcard(value: string): string {
  return value.replace(/[\\?]/g, (c) => `\\${c}`);
}

function anyField(fields: string[], clause: (field: string) => Query): Query {
  const per = fields.map(clause);
  return per.length === 1 && per[0] ? per[0] : { bool: { minimum_should_match: 1, should: per } };
}

/**
 * Query DSL for one parsed term. User text only ever becomes a value of `term`, `wildcard`
 * (escaped, `*` kept) or `match_phrase`, never query-string syntax.
 */
export function termToQuery(term: AlertQueryTerm): Query {
  let positive: Query;
  if (term.kind === 'text') {
    const pattern = `*${escapeWildcard(term.value.replace(/^\*+|\*+$/g, ''))}*`;
    const phrase = term.value.replace(/\*/g, ' ').trim();
    positive = {
      bool: {
        minimum_should_match: 1,
        should: [
          ...(phrase ? [{ match_phrase: { [ALERT_TEXT_FIELD]: phrase } }] : []),
          ...FREE_TEXT_KEYWORD_FIELDS.map((f): Query => ({ wildcard: { [f]: { value: pattern, case_insensitive: true } } })),
        ],
      },
    };
  } else if (term.field === 'attribution' && term.value === 'unknown') {
    // not attributed yet: no verdict stored
    positive = { bool: { must_not: [{ exists: { field: 'execwatch.attribution.match' } }] } };
  } else {
    const fields = isAlias(term.field) ? QUERY_ALIAS_FIELDS[term.field] : [assertFieldName(term.field)];
    if (term.value === '*') positive = anyField(fields, (f) => ({ exists: { field: f } }));
    else if (hasWildcard(term.value)) positive = anyField(fields, (f) => ({ wildcard: { [f]: { value: escapeWildcard(term.value) } } }));
    else positive = anyField(fields, (f) => ({ term: { [f]: { value: term.value } } }));
  }
  return term.negate ? { bool: { must_not: [positive] } } : positive;
}

/** The parsed terms of a filter's `query` (AlertQuerySyntaxError for bad syntax, which the routes answer with 400). */
export function queryTerms(query: string | undefined): AlertQueryTerm[] {
  return query && query.trim() ? parseAlertQuery(query).terms : [];
}

/** The filter part of an alert query, optionally without the status filter (stats count by status). */
export function alertFilterQuery(filter: AlertFilter, opts: { withStatus: boolean } = { withStatus: true }): Query {
  const terms = queryTerms(filter.query);
  const clauses: Query[] = [];
  if (filter.from || filter.to) {
    clauses.push({
      range: { '@timestamp': { ...(filter.from ? { gte: isoOf(filter.from) } : {}), ...(filter.to ? { lte: isoOf(filter.to) } : {}), format: 'strict_date_optional_time' } },
    });
  }
  const anyOf = (fields: string[], values: string[] | undefined) => {
    if (values && values.length > 0) clauses.push(anyField(fields, (f) => ({ terms: { [f]: values } })));
  };
  if (opts.withStatus) anyOf(['kibana.alert.workflow_status'], filter.status);
  anyOf(['kibana.alert.severity'], filter.severity);
  anyOf(['kibana.alert.rule.rule_id'], filter.rule_id);
  anyOf(['orchestrator.namespace'], filter.namespace);
  anyOf(['orchestrator.resource.name'], filter.pod);
  anyOf(['process.entry_leader.entity_id'], filter.session_id);
  anyOf(['container.image.name', ALERT_RUNTIME_FIELDS.image], filter.image);
  anyOf(['user.name', 'process.user.name'], filter.user);
  anyOf(['kubernetes.audit.user.username'], filter.requested_by);
  if (filter.attribution && filter.attribution.length > 0) clauses.push(attributionQuery(filter.attribution));
  if (filter.min_session_risk !== undefined) clauses.push({ range: { 'execwatch.session.risk_score': { gte: filter.min_session_risk } } });
  anyOf(['kibana.alert.workflow_assignee_ids'], filter.assignee);
  anyOf(['kibana.alert.workflow_tags'], filter.tag);
  for (const [field, value] of Object.entries(filter.fields ?? {})) clauses.push({ term: { [assertFieldName(field)]: { value } } });
  for (const term of terms) clauses.push(termToQuery(term));
  return { bool: { filter: clauses } };
}

/** Alerts whose attribution verdict is one of `matches` (`unknown`: none stored yet). */
function attributionQuery(matches: string[]): Query {
  const known = matches.filter((m) => m !== 'unknown');
  const should: Query[] = [];
  if (known.length > 0) should.push({ terms: { 'execwatch.attribution.match': known } });
  if (known.length < matches.length) should.push({ bool: { must_not: [{ exists: { field: 'execwatch.attribution.match' } }] } });
  return { bool: { minimum_should_match: 1, should } };
}

/** The status filter alone (applied inside the stats aggregation, whose by-status counts ignore it). */
export function statusQuery(filter: AlertFilter): Query {
  return filter.status && filter.status.length > 0 ? { terms: { 'kibana.alert.workflow_status': filter.status } } : { match_all: {} };
}

function isoOf(value: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new Error(`invalid date "${value}"`);
  return new Date(ms).toISOString();
}

const sortFields: Record<AlertSortField, string> = {
  '@timestamp': '@timestamp',
  original_time: 'kibana.alert.original_time',
  severity: ALERT_RUNTIME_FIELDS.severityRank,
  risk_score: 'kibana.alert.risk_score',
  workflow_status: 'kibana.alert.workflow_status',
  'rule.name': 'kibana.alert.rule.name',
  namespace: 'orchestrator.namespace',
  pod: 'orchestrator.resource.name',
  image: ALERT_RUNTIME_FIELDS.image,
  user: ALERT_RUNTIME_FIELDS.user,
  requested_by: 'kubernetes.audit.user.username',
  session_risk: 'execwatch.session.risk_score',
};

/** The `sort` of an alert list: the field, then time and uuid so pages are stable. */
export function alertSort(sort: { field: AlertSortField; order: 'asc' | 'desc' }): estypes.SortCombinations[] {
  const primary = sortFields[sort.field];
  const out: estypes.SortCombinations[] = [{ [primary]: { order: sort.order, missing: '_last', unmapped_type: 'keyword' } }];
  if (primary !== '@timestamp') out.push({ '@timestamp': { order: 'desc', unmapped_type: 'date' } });
  out.push({ 'kibana.alert.uuid': { order: 'asc', unmapped_type: 'keyword' } });
  return out;
}

/** The field each group-by choice aggregates on. */
export const groupFields: Record<AlertGroupField, string> = {
  namespace: 'orchestrator.namespace',
  image: ALERT_RUNTIME_FIELDS.image,
  user: ALERT_RUNTIME_FIELDS.user,
  rule: 'kibana.alert.rule.name',
  pod: 'orchestrator.resource.name',
  cluster: 'orchestrator.cluster.name',
  requested_by: 'kubernetes.audit.user.username',
};

const roundIntervals = [1, 5, 10, 30, 60, 300, 600, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86400, 7 * 86400, 30 * 86400].map((s) => s * 1000);

/** The smallest round interval giving at most `buckets` buckets over the range. */
export function histogramInterval(range: { from: number; to: number }, buckets: number): number {
  const span = Math.max(1, range.to - range.from);
  return roundIntervals.find((i) => span / i <= buckets) ?? Math.ceil(span / buckets / 86_400_000) * 86_400_000;
}
