import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  defaultAlertsViewState,
  parseAlertsViewState,
  sameSelection,
  serializeAlertsViewState,
  toAlertFilter,
  toFilterQueryParams,
  type AlertsViewState,
} from './alerts-view-state';

describe('alerts view state in the URL', () => {
  it('defaults to open alerts of the last 24 hours, riskiest sessions first', () => {
    const state = parseAlertsViewState(new URLSearchParams(''));
    expect(state).toEqual(defaultAlertsViewState);
    expect(state).toMatchObject({ status: ['open'], sortField: 'session_risk', sortOrder: 'desc', minSessionRisk: null });
    expect(serializeAlertsViewState(state).toString()).toBe('');
  });

  it('asks the API for the riskiest sessions first when the URL names no sort', () => {
    const state = parseAlertsViewState(new URLSearchParams('query=namespace%3Ashop'));
    expect([state.sortField, state.sortOrder]).toEqual(['session_risk', 'desc']);
  });

  it.each([
    ['sort=%40timestamp', '@timestamp', 'desc'],
    ['sort=%40timestamp&order=asc', '@timestamp', 'asc'],
    ['sort=risk_score&order=asc', 'risk_score', 'asc'],
    ['sort=requested_by', 'requested_by', 'desc'],
    ['order=asc', 'session_risk', 'asc'],
  ] as const)('keeps a link that names its sort: %s', (query, field, order) => {
    const state = parseAlertsViewState(new URLSearchParams(query));
    expect([state.sortField, state.sortOrder]).toEqual([field, order]);
    expect(parseAlertsViewState(serializeAlertsViewState(state))).toEqual(state);
  });

  it('writes the newest-first sort to the URL now that it is not the default', () => {
    expect(serializeAlertsViewState({ ...defaultAlertsViewState, sortField: '@timestamp' }).get('sort')).toBe('@timestamp');
    expect(serializeAlertsViewState({ ...defaultAlertsViewState, sortField: 'session_risk' }).has('sort')).toBe(false);
  });

  it('round-trips a full view', () => {
    const view: AlertsViewState = {
      ...defaultAlertsViewState,
      from: 'now-7d',
      to: 'now-1h',
      query: 'process.name:bash kubectl',
      status: ['open', 'acknowledged'],
      severity: ['high', 'critical'],
      namespace: ['payments'],
      image: ['nginx:1.25'],
      user: ['0'],
      requestedBy: ['alice@example.com', 'system:serviceaccount:ci:gitlab-runner'],
      attribution: ['exact', 'ambiguous'],
      minSessionRisk: 50,
      fields: { 'container.id': 'abc123' },
      sortField: 'risk_score',
      sortOrder: 'asc',
      page: 3,
      size: 100,
      groupBy: 'namespace',
      alert: 'alert-1',
      refresh: 30_000,
    };
    expect(parseAlertsViewState(serializeAlertsViewState(view))).toEqual(view);
  });

  it('keeps "any status" distinct from the default open', () => {
    const params = serializeAlertsViewState({ ...defaultAlertsViewState, status: [] });
    expect(params.get('status')).toBe('any');
    expect(parseAlertsViewState(params).status).toEqual([]);
  });

  it('drops malformed values instead of failing', () => {
    const state = parseAlertsViewState(new URLSearchParams('page=-2&size=7&sort=bogus&severity=high,nope&group=x&refresh=5'));
    expect(state.page).toBe(1);
    expect(state.size).toBe(50);
    expect(state.sortField).toBe('session_risk');
    expect(state.severity).toEqual(['high']);
    expect(state.groupBy).toBeNull();
    expect(state.refresh).toBe(0);
  });

  it('never throws on arbitrary query strings', () => {
    fc.assert(
      fc.property(fc.string(), (raw) => {
        const state = parseAlertsViewState(new URLSearchParams(raw));
        expect(state.page).toBeGreaterThanOrEqual(1);
      }),
    );
  });

  it('turns the view into the API filter and query parameters', () => {
    const view = { ...defaultAlertsViewState, query: '  bash ', fields: { 'user.id': '0' }, namespace: ['a', 'b'] };
    expect(toAlertFilter(view)).toEqual({
      from: 'now-24h',
      to: 'now',
      query: 'bash',
      status: ['open'],
      namespace: ['a', 'b'],
      fields: { 'user.id': '0' },
    });
    expect(toFilterQueryParams(view)['field.user.id']).toBe('0');
  });

  it('keeps the Kubernetes user and the attribution verdict in the URL under the API\'s names', () => {
    const view: AlertsViewState = { ...defaultAlertsViewState, requestedBy: ['alice@example.com'], attribution: ['none', 'unknown'] };
    const params = serializeAlertsViewState(view);
    expect(params.get('requested_by')).toBe('alice@example.com');
    expect(params.get('attribution')).toBe('none,unknown');
    expect(parseAlertsViewState(params)).toEqual(view);
  });

  it('drops attribution verdicts it does not know', () => {
    const state = parseAlertsViewState(new URLSearchParams('attribution=exact,maybe,,unknown'));
    expect(state.attribution).toEqual(['exact', 'unknown']);
  });

  it('sends the Kubernetes user and verdict filters to the list, the stats and bulk updates', () => {
    const view: AlertsViewState = { ...defaultAlertsViewState, requestedBy: ['alice@example.com'], attribution: ['exact'] };
    expect(toFilterQueryParams(view)).toMatchObject({ requested_by: ['alice@example.com'], attribution: ['exact'] });
    expect(toAlertFilter(view)).toMatchObject({ requested_by: ['alice@example.com'], attribution: ['exact'] });
    expect(toAlertFilter(defaultAlertsViewState)).not.toHaveProperty('requested_by');
    expect(toAlertFilter(defaultAlertsViewState)).not.toHaveProperty('attribution');
  });

  it('keeps "high risk only" in the URL under the API\'s name and sends it to the list, the stats and bulk updates', () => {
    const view: AlertsViewState = { ...defaultAlertsViewState, minSessionRisk: 50 };
    const params = serializeAlertsViewState(view);
    expect(params.get('min_session_risk')).toBe('50');
    expect(parseAlertsViewState(params)).toEqual(view);
    expect(toFilterQueryParams(view).min_session_risk).toBe('50');
    expect(toAlertFilter(view).min_session_risk).toBe(50);
    expect(toFilterQueryParams(defaultAlertsViewState).min_session_risk).toBeUndefined();
    expect(toAlertFilter(defaultAlertsViewState)).not.toHaveProperty('min_session_risk');
    expect(sameSelection(defaultAlertsViewState, view)).toBe(false);
  });

  it.each(['-1', '101', '50.5', 'high', ''])('drops a minimum session risk it cannot use: %s', (raw) => {
    expect(parseAlertsViewState(new URLSearchParams({ min_session_risk: raw })).minSessionRisk).toBeNull();
  });

  it('counts a verdict filter as a different selection', () => {
    expect(sameSelection(defaultAlertsViewState, { ...defaultAlertsViewState, attribution: ['ambiguous'] })).toBe(false);
    expect(sameSelection(defaultAlertsViewState, { ...defaultAlertsViewState, page: 2 })).toBe(true);
  });
});

describe('the frozen filter of "select all N"', () => {
  it('resolves a relative range at the time the rows were fetched and keeps every other filter', async () => {
    const { defaultAlertsViewState } = await import('./alerts-view-state');
    const { frozenFilter } = await import('./frozen-filter');
    const at = Date.UTC(2026, 11, 8, 12, 0, 0);
    const filter = frozenFilter({ ...defaultAlertsViewState, from: 'now-24h', to: 'now', namespace: ['payments'], fields: { 'container.id': 'c1' } }, at);
    expect(filter.from).toBe('2026-12-07T12:00:00.000Z');
    expect(filter.to).toBe('2026-12-08T12:00:00.000Z');
    expect(filter.namespace).toEqual(['payments']);
    expect(filter.fields).toEqual({ 'container.id': 'c1' });
  });
});
