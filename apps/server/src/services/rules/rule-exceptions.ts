/** Each rule's default exception list (Kibana's `rule_default` list) and its active items, from the exceptions service. */
import type { z } from 'zod';
import type { exceptionsListRefSchema } from '@execwatch/api';
import { activeExceptionItems, ensureRuleDefaultList } from '../../exceptions/service';
import type { ExceptionItemForMatching, Store } from '../../store/ports';
import type { ExceptionSource } from '../detection/exception-source';
import type { EffectiveRule } from './rule-definition';

export type ExceptionsListRef = z.infer<typeof exceptionsListRefSchema>;

export interface RuleExceptionLists extends ExceptionSource {
  /** The rule's default list (created on first use). */
  defaultList(rule: Pick<EffectiveRule, 'rule_id' | 'name'>): Promise<ExceptionsListRef>;
}

/** Rule exception lists backed by the store through the exceptions service. */
export function createRuleExceptionLists(store: Store): RuleExceptionLists {
  const known = new Map<string, ExceptionsListRef>();
  const defaultList = async (rule: Pick<EffectiveRule, 'rule_id' | 'name'>): Promise<ExceptionsListRef> => {
    const cached = known.get(rule.rule_id);
    if (cached) return cached;
    const ref = await ensureRuleDefaultList(store, { rule_id: rule.rule_id, name: rule.name });
    const out: ExceptionsListRef = { id: ref.id, list_id: ref.list_id, namespace_type: ref.namespace_type, type: ref.type };
    known.set(rule.rule_id, out);
    return out;
  };
  return {
    defaultList,
    async activeItemsFor(rule: EffectiveRule, now: number): Promise<ExceptionItemForMatching[]> {
      const list = await defaultList(rule);
      return activeExceptionItems(store, [{ list_id: list.list_id }], now);
    },
  };
}
