import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MutationObserver, QueryClient } from '@tanstack/react-query';
import { emptyAttributionView, type Alert, type AlertDetail, type ChecklistResponse, type ChecklistStep, type ListAlertsResponse } from '@execwatch/api';
import { alertKeys } from '../../alert-flyout/api/keys';
import { alertsKeys } from '../../alerts/api/keys';
import { checklistStepSaveOptions, type ChecklistStepSave } from './checklist-step-save';
import { fetchChecklist } from './use-checklist-query';
import { checklistProgress, findStep, stepLabel, withStepState } from './step-changes';

const alertId = 'alert-1';
const otherAlertId = 'alert-2';
const now = new Date('2026-03-01T10:00:00.000Z');

function step(id: string, text: string, required: boolean): ChecklistStep {
  return { id, text, required, fields: [], done: false, done_by: null, done_at: null, note: null, auto_checked: false, evidence: [] };
}

function checklistFixture(): ChecklistResponse {
  const groups: ChecklistResponse['groups'] = [
    {
      id: 'investigation',
      kind: 'investigation',
      title: 'Investigate',
      steps: [step('container', 'Examine the container the shell was opened in', true), step('session', 'Read the session', false)],
    },
    { id: 'false-positive', kind: 'false_positive', title: 'False positive', steps: [step('ticket', 'Find the change ticket', true)] },
  ];
  return { groups, progress: checklistProgress(groups) };
}

function alertFixture(id: string): Alert {
  return {
    id,
    index: 'execwatch-alerts-default',
    '@timestamp': '2026-03-01T09:00:00.000Z',
    original_time: null,
    rule: { uuid: 'rule-uuid', rule_id: 'rule-id', name: 'Interactive exec' },
    severity: 'medium',
    risk_score: 47,
    reason: 'process event',
    workflow_status: 'open',
    workflow_reason: null,
    workflow_reason_text: null,
    workflow_user: null,
    workflow_status_updated_at: null,
    assignees: [],
    tags: [],
    entity: {
      cluster: null,
      namespace: null,
      pod: null,
      container_id: null,
      image: null,
      host: null,
      user_id: null,
      user_name: null,
      process_name: null,
      executable: null,
      args: [],
      command_line: null,
      working_directory: null,
      interactive: null,
      entry_leader_entity_id: null,
      entry_meta_type: null,
      same_as_process: null,
      parent_name: null,
      parent_args: [],
    },
    checklist: { done: 0, total: 3, required_remaining: 2 },
    notes_count: 0,
    attribution: emptyAttributionView(),
    session: null,
    source: { index: 'logs-cloud_defend.process-default', id: `event-${id}` },
  };
}

interface Request {
  method: string;
  url: string;
  body: unknown;
  answer: (status: number, json: unknown) => void;
}

/** A stand-in for the server: each request waits until the test answers it. */
function fakeServer() {
  const requests: Request[] = [];
  const fetch = (url: string, init?: RequestInit) =>
    new Promise<Response>((resolve) => {
      requests.push({
        method: init?.method ?? 'GET',
        url,
        body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
        answer: (status, json) => resolve(new Response(JSON.stringify(json), { status, headers: { 'content-type': 'application/json' } })),
      });
    });
  const puts = () => requests.filter((r) => r.method === 'PUT');
  return { requests, fetch, puts };
}

const listKey = alertsKeys.list({ filter: {}, sortField: '@timestamp', sortOrder: 'desc', page: 1, size: 50 });
const serverError = { error: 'internal_error', message: 'The store is not writable.', status: 500 };

let queryClient: QueryClient;
let server: ReturnType<typeof fakeServer>;
let toasts: { title: string; text: string; color: string }[];

function save(variables: ChecklistStepSave): Promise<unknown> {
  const observer = new MutationObserver(queryClient, checklistStepSaveOptions(queryClient, alertId, { user: 'analyst1', toast: (t) => toasts.push(t), now: () => now }));
  return observer.mutate(variables).catch((err: unknown) => err);
}

const cachedChecklist = () => queryClient.getQueryData<ChecklistResponse>(alertKeys.checklist(alertId));
const cachedStep = (stepId: string) => findStep(cachedChecklist(), stepId);
const rowProgress = (id: string) => queryClient.getQueryData<ListAlertsResponse>(listKey)?.alerts.find((a) => a.id === id)?.checklist;

beforeEach(() => {
  queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  server = fakeServer();
  toasts = [];
  vi.stubGlobal('fetch', server.fetch);
  queryClient.setQueryData(alertKeys.checklist(alertId), checklistFixture());
  const detail: AlertDetail = { ...alertFixture(alertId), document: {} };
  queryClient.setQueryData(alertKeys.detail(alertId), detail);
  const list: ListAlertsResponse = { total: 2, page: 1, size: 50, alerts: [alertFixture(alertId), alertFixture(otherAlertId)] };
  queryClient.setQueryData(listKey, list);
});

afterEach(() => {
  vi.unstubAllGlobals();
  queryClient.clear();
});

describe('saving a checklist step', () => {
  it('flips the box and every progress shown before the server answers', async () => {
    const saved = save({ stepId: 'container', body: { done: true } });

    // In the same task as the click, before any request went out.
    expect(server.requests).toHaveLength(0);
    expect(cachedStep('container')).toMatchObject({ done: true, done_by: 'analyst1', done_at: now.toISOString() });
    const progress = { done: 1, total: 3, required_remaining: 1 };
    expect(cachedChecklist()?.progress).toEqual(progress);
    expect(queryClient.getQueryData<AlertDetail>(alertKeys.detail(alertId))?.checklist).toEqual(progress);
    expect(rowProgress(alertId)).toEqual(progress);
    expect(rowProgress(otherAlertId)).toEqual({ done: 0, total: 3, required_remaining: 2 });

    await vi.waitFor(() => expect(server.puts()).toHaveLength(1));
    expect(server.puts()[0]).toMatchObject({ url: `/api/alerts/${alertId}/checklist/container`, body: { done: true } });
    expect(cachedStep('container')?.done).toBe(true);

    server.puts()[0]?.answer(200, withStepState(checklistFixture(), 'container', { done: true, done_by: 'analyst1', done_at: now.toISOString(), note: null }));
    await saved;
    expect(cachedStep('container')?.done).toBe(true);
    expect(toasts).toEqual([]);
    // Refreshed from the server once the save settled.
    expect(queryClient.getQueryState(alertKeys.checklist(alertId))?.isInvalidated).toBe(true);
    expect(queryClient.getQueryState(listKey)?.isInvalidated).toBe(true);
  });

  it('puts the step back and names it in an error toast when the save fails', async () => {
    const saved = save({ stepId: 'container', body: { done: true, note: 'payments team' } });
    expect(cachedStep('container')).toMatchObject({ done: true, note: 'payments team' });

    await vi.waitFor(() => expect(server.puts()).toHaveLength(1));
    server.puts()[0]?.answer(500, serverError);
    await saved;

    expect(cachedStep('container')).toMatchObject({ done: false, done_by: null, done_at: null, note: null });
    const before = { done: 0, total: 3, required_remaining: 2 };
    expect(cachedChecklist()?.progress).toEqual(before);
    expect(queryClient.getQueryData<AlertDetail>(alertKeys.detail(alertId))?.checklist).toEqual(before);
    expect(rowProgress(alertId)).toEqual(before);
    expect(toasts).toHaveLength(1);
    expect(toasts[0]?.color).toBe('danger');
    expect(toasts[0]?.title).toContain('Examine the container the shell was opened in');
    expect(toasts[0]?.text).toContain('The store is not writable.');
    expect(toasts[0]?.text).toContain('not done again');
  });

  it('puts back only the failed step when another step was ticked meanwhile', async () => {
    const first = save({ stepId: 'container', body: { done: true } });
    const second = save({ stepId: 'ticket', body: { done: true } });
    expect(cachedChecklist()?.progress).toEqual({ done: 2, total: 3, required_remaining: 0 });

    await vi.waitFor(() => expect(server.puts()).toHaveLength(1));
    server.puts()[0]?.answer(500, serverError);
    await first;
    expect(cachedStep('container')?.done).toBe(false);
    expect(cachedStep('ticket')?.done).toBe(true);
    expect(cachedChecklist()?.progress).toEqual({ done: 1, total: 3, required_remaining: 1 });
    expect(toasts.map((t) => t.title)).toEqual([expect.stringContaining('Examine the container')]);

    await vi.waitFor(() => expect(server.puts()).toHaveLength(2));
    server.puts()[1]?.answer(200, {});
    await second;
    expect(cachedStep('ticket')?.done).toBe(true);
  });

  it('keeps the last of a quick tick and untick, and sends them to the server in that order', async () => {
    const tick = save({ stepId: 'session', body: { done: true } });
    const untick = save({ stepId: 'session', body: { done: false } });
    expect(cachedStep('session')?.done).toBe(false);

    await vi.waitFor(() => expect(server.puts()).toHaveLength(1));
    expect(server.puts()[0]?.body).toEqual({ done: true });
    server.puts()[0]?.answer(200, {});
    await tick;
    // The untick is still to be saved: no refresh yet, which would answer with the tick.
    expect(cachedStep('session')?.done).toBe(false);
    expect(queryClient.getQueryState(alertKeys.checklist(alertId))?.isInvalidated).toBe(false);

    await vi.waitFor(() => expect(server.puts()).toHaveLength(2));
    expect(server.puts()[1]?.body).toEqual({ done: false });
    server.puts()[1]?.answer(200, {});
    await untick;
    expect(cachedStep('session')?.done).toBe(false);
    expect(queryClient.getQueryState(alertKeys.checklist(alertId))?.isInvalidated).toBe(true);
  });

  it('does not flip the box back when a superseded save fails, and reports only the last one', async () => {
    const tick = save({ stepId: 'session', body: { done: true } });
    const untick = save({ stepId: 'session', body: { done: false } });

    await vi.waitFor(() => expect(server.puts()).toHaveLength(1));
    server.puts()[0]?.answer(503, serverError);
    await tick;
    expect(cachedStep('session')?.done).toBe(false);
    expect(toasts).toEqual([]);

    await vi.waitFor(() => expect(server.puts()).toHaveLength(2));
    server.puts()[1]?.answer(200, {});
    await untick;
    expect(cachedStep('session')?.done).toBe(false);
    expect(toasts).toEqual([]);
  });

  it('puts back what the server has when a tick and the untick after it both fail', async () => {
    const tick = save({ stepId: 'session', body: { done: true } });
    const untick = save({ stepId: 'session', body: { done: false } });

    await vi.waitFor(() => expect(server.puts()).toHaveLength(1));
    server.puts()[0]?.answer(500, serverError);
    await tick;
    await vi.waitFor(() => expect(server.puts()).toHaveLength(2));
    server.puts()[1]?.answer(500, serverError);
    await untick;

    expect(cachedStep('session')?.done).toBe(false);
    expect(toasts).toHaveLength(1);
    expect(toasts[0]?.title).toContain('Read the session');
    expect(toasts[0]?.text).toContain('not done again');
  });

  it('cancels a checklist refetch under way, so its late answer cannot undo the tick', async () => {
    const refetch = queryClient.fetchQuery({
      queryKey: alertKeys.checklist(alertId),
      queryFn: ({ signal }) => fetchChecklist(alertId, signal),
      staleTime: 0,
    });
    await vi.waitFor(() => expect(server.requests.filter((r) => r.method === 'GET')).toHaveLength(1));

    const saved = save({ stepId: 'container', body: { done: true } });
    server.requests.find((r) => r.method === 'GET')?.answer(200, checklistFixture());
    await refetch.catch(() => undefined);
    expect(cachedStep('container')?.done).toBe(true);

    await vi.waitFor(() => expect(server.puts()).toHaveLength(1));
    server.puts()[0]?.answer(200, {});
    await saved;
    expect(cachedStep('container')?.done).toBe(true);
  });
});

describe('step labels in toasts', () => {
  it('keeps short texts and cuts long ones at a word', () => {
    expect(stepLabel('Read  the\nsession')).toBe('Read the session');
    const long = 'Examine the container image, the namespace and the pod the interactive shell was opened in, and who opened it';
    const label = stepLabel(long, 40);
    expect(label.length).toBeLessThanOrEqual(40);
    expect(label.endsWith('…')).toBe(true);
    expect(long.startsWith(label.slice(0, -1))).toBe(true);
  });
});
