import type { RuleState, RuleStore } from '../ports';
import type { EsContext } from './context';
import { allDocs, getDoc, putDoc } from './documents';
import { claimLease, releaseLease } from './lease';

/** Rule state documents (`state:<rule_id>`) and run leases (`lease:<rule_id>`) in the rules index. */
export function createRuleStore(ctx: EsContext): RuleStore {
  const index = ctx.names.rules;
  return {
    getState: (ruleId) => getDoc<RuleState>(ctx, index, `state:${ruleId}`),
    listStates: () => allDocs<RuleState>(ctx, index, 'state', 'rule_id'),
    putState: (state) => putDoc(ctx, index, `state:${state.rule_id}`, { type: 'state', keys: { rule_id: state.rule_id }, body: state }),
    claimRun: (ruleId, owner, until) => claimLease(ctx, ruleId, owner, until),
    releaseRun: (ruleId, owner) => releaseLease(ctx, ruleId, owner),
  };
}
