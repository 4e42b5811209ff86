/** Rules API: list, detail, settings, manual runs and the execution log. */
import { Router } from 'express';
import { z } from 'zod';
import { runRuleSchema, updateRuleSchema, type Rule } from '@execwatch/api';
import { actor, type RouteContext } from '../http/context';
import { HttpError, badRequest, conflict, notFound } from '../http/errors';
import { parseBody, parseParams, parseQuery } from '../http/validate';
import { presentRule } from '../presenters/rule-presenter';
import { durationMs, resolveDate, tryResolveDate } from '../services/dates';
import { lookbackMs, RunRefusedError, type DetectionEngine } from '../services/detection/detection-engine';
import type { Scheduler } from '../services/detection/scheduler';
import type { EffectiveRule } from '../services/rules/rule-definition';
import type { RuleExceptionLists } from '../services/rules/rule-exceptions';
import type { RuleRegistry } from '../services/rules/rule-registry';

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

/** Mounts the rules routes; changes and manual runs need `rules:write` and are audited. */
export function rulesRoutes(ctx: RouteContext, deps: RulesRouteDeps): Router {
  const r = Router();
  const { registry, engine, exceptionLists } = deps;
  const present = async (rule: EffectiveRule): Promise<Rule> =>
    presentRule(rule, {
      exceptionsList: [await exceptionLists.defaultList(rule)],
      lastExecution: await ctx.store.executions.latest(rule.rule_id),
    });
  const requireRule = async (ruleId: string): Promise<EffectiveRule> => {
    const rule = await registry.get(ruleId);
    if (!rule) throw notFound(`rule ${ruleId}`);
    return rule;
  };

  r.get('/api/rules', ctx.authorize('rules:read'), async (_req, res) => {
    const rules = await registry.list();
    res.json({ total: rules.length, rules: await Promise.all(rules.map(present)), load_errors: registry.loadErrors });
  });

  r.get('/api/rules/:rule_id', ctx.authorize('rules:read'), async (req, res) => {
    const { rule_id } = parseParams(ruleParams, req);
    res.json(await present(await requireRule(rule_id)));
  });

  r.patch('/api/rules/:rule_id', ctx.authorize('rules:write'), async (req, res) => {
    const { rule_id } = parseParams(ruleParams, req);
    const body = parseBody(updateRuleSchema, req);
    if (body.interval !== undefined && (durationMs(body.interval) ?? 0) < 1000) throw badRequest('body.interval: must be at least 1s');
    if (body.from !== undefined) {
      const now = ctx.now();
      const from = tryResolveDate(body.from, now);
      if (from === null || !body.from.trim().startsWith('now') || from > now) throw badRequest('body.from: expected date math in the past such as now-6m');
    }
    const updated = await registry.update(rule_id, body, actor(req));
    if (!updated) throw notFound(`rule ${rule_id}`);
    deps.scheduler?.reschedule(rule_id);
    const pick = (x: EffectiveRule) => ({ enabled: x.enabled, interval: x.interval, from: x.from, max_signals: x.max_signals, required_steps: x.required_steps });
    await ctx.audit(req, { action: 'rule.update', target: { type: 'rule', id: rule_id }, before: pick(updated.before), after: pick(updated.after) });
    res.json(await present(updated.after));
  });

  r.post('/api/rules/:rule_id/_run', ctx.authorize('rules:write'), async (req, res) => {
    const { rule_id } = parseParams(ruleParams, req);
    const body = parseBody(runRuleSchema, req);
    const rule = await requireRule(rule_id);
    if (!rule.runnable) throw conflict(`rule ${rule_id} cannot run: ${rule.not_runnable_reason ?? 'not runnable'}`);
    const now = ctx.now();
    const to = body.to === undefined ? now : resolveDate(body.to, now, 'body.to', true);
    const from = body.from === undefined ? to - lookbackMs(rule, now) : resolveDate(body.from, now, 'body.from');
    if (from >= to) throw badRequest('body.from: must be before to');
    try {
      const execution = await engine.runWindow(rule_id, { from, to }, 'manual');
      await ctx.audit(req, { action: 'rule.run', target: { type: 'rule', id: rule_id }, after: { execution_id: execution.id, window: execution.window, status: execution.status } });
      res.json(execution);
    } catch (err) {
      if (err instanceof RunRefusedError) throw new HttpError(409, 'conflict', err.message);
      throw err;
    }
  });

  r.get('/api/rules/:rule_id/executions', ctx.authorize('rules:read'), async (req, res) => {
    const { rule_id } = parseParams(ruleParams, req);
    const q = parseQuery(executionsQuery, req);
    await requireRule(rule_id);
    res.json(await ctx.store.executions.list(rule_id, { size: q.size, page: q.page }));
  });

  return r;
}
