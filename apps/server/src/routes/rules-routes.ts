/** Rules API: list, detail, settings, manual runs and the execution log. */
import type { Router } from 'express';
import { z } from 'zod';
import { runRuleSchema, updateRuleSchema, type Rule } from '@execwatch/api';
import type { RouteContext } from '../http/context';
import { HttpError, badRequest, conflict, notFound } from '../http/errors';
import { mountRoutes, routes, type Route } from '../http/route';
import { presentRule } from '../presenters/rule-presenter';
import { durationMs, resolveDate, tryResolveDate } from '../services/dates';
import { lookbackMs, RunRefusedError, type DetectionEngine } from '../services/detection/detection-engine';
import type { Scheduler } from '../services/detection/scheduler';
import type { EffectiveRule } from '../services/rules/rule-definition';
import type { RuleExceptionLists } from '../services/rules/rule-exceptions';
import type { RuleRegistry } from '../services/rules/rule-registry';
import type { Store } from '../store/ports';

const ruleParams = z.object({ rule_id: z.string().min(1).max(200) });
const executionsQuery = z.object({
  size: z.coerce.number().int().min(1).max(1000).default(20),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
});

export interface RulesRouteDeps {
  registry: RuleRegistry;
  engine: DetectionEngine;
  scheduler: Pick<Scheduler, 'reschedule'> | null;
  exceptionLists: RuleExceptionLists;
}

interface RuleRouteDeps extends RulesRouteDeps {
  store: Store;
  now: () => number;
}

async function present(rule: EffectiveRule, deps: RuleRouteDeps): Promise<Rule> {
  return presentRule(rule, {
    exceptionsList: [await deps.exceptionLists.defaultList(rule)],
    lastExecution: await deps.store.executions.latest(rule.rule_id),
  });
}

async function requireRule(ruleId: string, deps: RuleRouteDeps): Promise<EffectiveRule> {
  const rule = await deps.registry.get(ruleId);
  if (!rule) throw notFound(`rule ${ruleId}`);
  return rule;
}

const route = routes<RuleRouteDeps>();

/** Changes and manual runs need `rules:write` and are audited. */
export const ruleRoutes: Route<RuleRouteDeps>[] = [
  route({
    method: 'GET',
    path: '/api/rules',
    requires: 'rules:read',
    summary: 'the loaded rules, with their last execution and the files that could not be loaded',
    handler: async (_input, deps) => {
      const rules = await deps.registry.list();
      return { total: rules.length, rules: await Promise.all(rules.map((r) => present(r, deps))), load_errors: deps.registry.loadErrors };
    },
  }),
  route({
    method: 'GET',
    path: '/api/rules/:rule_id',
    requires: 'rules:read',
    summary: 'one rule, with its default exception list (`exceptions_list`)',
    params: ruleParams,
    handler: async ({ params }, deps) => present(await requireRule(params.rule_id, deps), deps),
  }),
  route({
    method: 'PATCH',
    path: '/api/rules/:rule_id',
    requires: 'rules:write',
    summary: 'enables, disables or retunes a rule (interval, look-back, max signals, required checklist steps)',
    params: ruleParams,
    body: updateRuleSchema,
    audit: ['rule.update'],
    handler: async ({ params: { rule_id }, body, actor, audit }, deps) => {
      if (body.interval !== undefined && (durationMs(body.interval) ?? 0) < 1000) throw badRequest('body.interval: must be at least 1s');
      if (body.from !== undefined) {
        const now = deps.now();
        const from = tryResolveDate(body.from, now);
        if (from === null || !body.from.trim().startsWith('now') || from > now) throw badRequest('body.from: expected date math in the past such as now-6m');
      }
      const updated = await deps.registry.update(rule_id, body, actor);
      if (!updated) throw notFound(`rule ${rule_id}`);
      deps.scheduler?.reschedule(rule_id);
      const pick = (x: EffectiveRule) => ({ enabled: x.enabled, interval: x.interval, from: x.from, max_signals: x.max_signals, required_steps: x.required_steps });
      await audit({ action: 'rule.update', target: { type: 'rule', id: rule_id }, before: pick(updated.before), after: pick(updated.after) });
      return present(updated.after, deps);
    },
  }),
  route({
    method: 'POST',
    path: '/api/rules/:rule_id/_run',
    requires: 'rules:write',
    summary: 'runs a rule now over `{ from, to }` (ISO or date math; default its own window)',
    params: ruleParams,
    body: runRuleSchema,
    audit: ['rule.run'],
    handler: async ({ params: { rule_id }, body, audit }, deps) => {
      const rule = await requireRule(rule_id, deps);
      if (!rule.runnable) throw conflict(`rule ${rule_id} cannot run: ${rule.not_runnable_reason ?? 'not runnable'}`);
      const now = deps.now();
      const to = body.to === undefined ? now : resolveDate(body.to, now, 'body.to', true);
      const from = body.from === undefined ? to - lookbackMs(rule, now) : resolveDate(body.from, now, 'body.from');
      if (from >= to) throw badRequest('body.from: must be before to');
      try {
        const execution = await deps.engine.runWindow(rule_id, { from, to }, 'manual');
        await audit({ action: 'rule.run', target: { type: 'rule', id: rule_id }, after: { execution_id: execution.id, window: execution.window, status: execution.status } });
        return execution;
      } catch (err) {
        if (err instanceof RunRefusedError) throw new HttpError(409, 'conflict', err.message);
        throw err;
      }
    },
  }),
  route({
    method: 'GET',
    path: '/api/rules/:rule_id/executions',
    requires: 'rules:read',
    summary: "the rule's execution log",
    params: ruleParams,
    query: executionsQuery,
    handler: async ({ params, query }, deps) => {
      await requireRule(params.rule_id, deps);
      return deps.store.executions.list(params.rule_id, { size: query.size, page: query.page });
    },
  }),
];

/** Mounts the rules routes. */
export function rulesRoutes(ctx: RouteContext, deps: RulesRouteDeps): Router {
  return mountRoutes(ruleRoutes, { ...deps, store: ctx.store, now: ctx.now }, ctx);
}
