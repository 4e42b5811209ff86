import {
  alertGroupFieldSchema,
  attributionMatchSchema,
  alertSortFieldSchema,
  severitySchema,
  workflowStatusSchema,
  type AlertFilter,
  type AlertGroupField,
  type AlertSortField,
  type AttributionMatch,
  type Severity,
  type WorkflowStatus,
} from '@execwatch/api';

/** Everything that defines what the alerts page shows; lives in the URL so a link reproduces the view. */
export interface AlertsViewState {
  from: string;
  to: string;
  query: string;
  status: WorkflowStatus[];
  severity: Severity[];
  namespace: string[];
  image: string[];
  /** Linux user inside the container (`entity.user`). */
  user: string[];
  /** The Kubernetes user who ran the exec (exact attributions only); `requested_by` in the URL and the API. */
  requestedBy: string[];
  /** Attribution verdicts to show (exact, ambiguous, none, unknown); all when empty. */
  attribution: AttributionMatch[];
  /** Only sessions whose risk score is at least this (`min_session_risk`); null for every session. */
  minSessionRisk: number | null;
  /** Exact field filters added from the flyout ("filter alerts by this value"). */
  fields: Record<string, string>;
  sortField: AlertSortField;
  sortOrder: 'asc' | 'desc';
  page: number;
  size: number;
  groupBy: AlertGroupField | null;
  /** The alert open in the flyout. */
  alert: string | null;
  /** Auto-refresh interval in ms; 0 when paused. */
  refresh: number;
}

export const defaultAlertsViewState: AlertsViewState = {
  from: 'now-24h',
  to: 'now',
  query: '',
  status: ['open'],
  severity: [],
  namespace: [],
  image: [],
  user: [],
  requestedBy: [],
  attribution: [],
  minSessionRisk: null,
  fields: {},
  // The open queue puts the riskiest sessions first: every alert of the exec rule has the same severity.
  sortField: 'session_risk',
  sortOrder: 'desc',
  page: 1,
  size: 50,
  groupBy: null,
  alert: null,
  refresh: 0,
};

export const pageSizes = [25, 50, 100] as const;
const FIELD_PREFIX = 'f.';
/** The status value meaning "any status" (an absent `status` means the default, open). */
const ANY_STATUS = 'any';

function list(params: URLSearchParams, key: string): string[] {
  const raw = params.get(key);
  if (!raw) return [];
  return raw.split(',').map((v) => v.trim()).filter((v) => v.length > 0);
}

function enumList<T extends string>(values: string[], allowed: readonly T[]): T[] {
  return values.filter((v): v is T => (allowed as readonly string[]).includes(v));
}

/** A score of 0-100 from the URL, or null. */
function riskScore(raw: string | null): number | null {
  if (raw === null || raw.trim() === '') return null;
  const n = Number(raw);
  return Number.isInteger(n) && n >= 0 && n <= 100 ? n : null;
}

function positiveInt(raw: string | null, fallback: number, max: number): number {
  const n = raw === null ? NaN : Number(raw);
  return Number.isInteger(n) && n >= 1 && n <= max ? n : fallback;
}

/** Reads the view from the URL; anything malformed falls back to its default rather than failing. */
export function parseAlertsViewState(params: URLSearchParams): AlertsViewState {
  const d = defaultAlertsViewState;
  const statusRaw = params.get('status');
  const status =
    statusRaw === null ? d.status : statusRaw === ANY_STATUS ? [] : enumList(list(params, 'status'), workflowStatusSchema.options);
  const sortField = alertSortFieldSchema.safeParse(params.get('sort'));
  const groupBy = alertGroupFieldSchema.safeParse(params.get('group'));
  const fields: Record<string, string> = {};
  for (const [key, value] of params) {
    if (key.startsWith(FIELD_PREFIX) && key.length > FIELD_PREFIX.length) fields[key.slice(FIELD_PREFIX.length)] = value;
  }
  const size = positiveInt(params.get('size'), d.size, 1000);
  const refresh = Number(params.get('refresh'));
  return {
    from: params.get('from') || d.from,
    to: params.get('to') || d.to,
    query: params.get('query') ?? '',
    status,
    severity: enumList(list(params, 'severity'), severitySchema.options),
    namespace: list(params, 'namespace'),
    image: list(params, 'image'),
    user: list(params, 'user'),
    requestedBy: list(params, 'requested_by'),
    attribution: enumList(list(params, 'attribution'), attributionMatchSchema.options),
    minSessionRisk: riskScore(params.get('min_session_risk')),
    fields,
    sortField: sortField.success ? sortField.data : d.sortField,
    sortOrder: params.get('order') === 'asc' ? 'asc' : 'desc',
    page: positiveInt(params.get('page'), d.page, 100_000),
    size: (pageSizes as readonly number[]).includes(size) ? size : d.size,
    groupBy: groupBy.success ? groupBy.data : null,
    alert: params.get('alert') || null,
    refresh: Number.isInteger(refresh) && refresh >= 1000 ? refresh : 0,
  };
}

/** Writes the view to URL parameters, leaving defaults out so links stay short. */
export function serializeAlertsViewState(state: AlertsViewState): URLSearchParams {
  const d = defaultAlertsViewState;
  const params = new URLSearchParams();
  if (state.from !== d.from) params.set('from', state.from);
  if (state.to !== d.to) params.set('to', state.to);
  if (state.query) params.set('query', state.query);
  const statusKey = [...state.status].sort().join(',');
  if (statusKey !== [...d.status].sort().join(',')) params.set('status', state.status.length === 0 ? ANY_STATUS : state.status.join(','));
  for (const key of ['severity', 'namespace', 'image', 'user'] as const) {
    if (state[key].length > 0) params.set(key, state[key].join(','));
  }
  if (state.requestedBy.length > 0) params.set('requested_by', state.requestedBy.join(','));
  if (state.attribution.length > 0) params.set('attribution', state.attribution.join(','));
  if (state.minSessionRisk !== null) params.set('min_session_risk', String(state.minSessionRisk));
  for (const [field, value] of Object.entries(state.fields)) params.set(`${FIELD_PREFIX}${field}`, value);
  if (state.sortField !== d.sortField) params.set('sort', state.sortField);
  if (state.sortOrder !== d.sortOrder) params.set('order', state.sortOrder);
  if (state.page !== d.page) params.set('page', String(state.page));
  if (state.size !== d.size) params.set('size', String(state.size));
  if (state.groupBy) params.set('group', state.groupBy);
  if (state.alert) params.set('alert', state.alert);
  if (state.refresh > 0) params.set('refresh', String(state.refresh));
  return params;
}

/** The filter part of the view, as `_bulk_update` by query and the stats take it. */
export function toAlertFilter(state: AlertsViewState): AlertFilter {
  const filter: AlertFilter = { from: state.from, to: state.to };
  if (state.query.trim()) filter.query = state.query.trim();
  if (state.status.length > 0) filter.status = state.status;
  if (state.severity.length > 0) filter.severity = state.severity;
  if (state.namespace.length > 0) filter.namespace = state.namespace;
  if (state.image.length > 0) filter.image = state.image;
  if (state.user.length > 0) filter.user = state.user;
  if (state.requestedBy.length > 0) filter.requested_by = state.requestedBy;
  if (state.attribution.length > 0) filter.attribution = state.attribution;
  if (state.minSessionRisk !== null) filter.min_session_risk = state.minSessionRisk;
  if (Object.keys(state.fields).length > 0) filter.fields = { ...state.fields };
  return filter;
}

/** Query-string parameters of `GET /api/alerts` and `GET /api/alerts/_stats` for the view's filters. */
export function toFilterQueryParams(state: AlertsViewState): Record<string, string | string[] | undefined> {
  const params: Record<string, string | string[] | undefined> = {
    from: state.from,
    to: state.to,
    query: state.query.trim() || undefined,
    status: state.status,
    severity: state.severity,
    namespace: state.namespace,
    image: state.image,
    user: state.user,
    requested_by: state.requestedBy,
    attribution: state.attribution,
    min_session_risk: state.minSessionRisk === null ? undefined : String(state.minSessionRisk),
  };
  for (const [field, value] of Object.entries(state.fields)) params[`field.${field}`] = value;
  return params;
}

/** True when two views select the same alerts (selection survives paging, not a filter change). */
export function sameSelection(a: AlertsViewState, b: AlertsViewState): boolean {
  return JSON.stringify(toAlertFilter(a)) === JSON.stringify(toAlertFilter(b));
}
