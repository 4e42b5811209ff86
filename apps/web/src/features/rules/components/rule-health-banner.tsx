import { EuiCallOut, EuiSpacer } from '@elastic/eui';
import { RouterLink } from '../../../components/router-link';
import type { Rule } from '@execwatch/api';
import { formatTime } from '../../../lib/format';
import { resolveRange } from '../../../lib/time-range';
import { useRuleExecutionsQuery } from '../api/use-rule-executions-query';
import { useRulesQuery } from '../api/use-rules-query';
import { executionProblemsInRange } from '../execution-problems';

function RuleBanner({ rule, fromMs, toMs }: { rule: Rule; fromMs: number; toMs: number }) {
  const executions = useRuleExecutionsQuery(rule.rule_id);
  if (!executions.data) return null;
  const { failed, gaps } = executionProblemsInRange(executions.data.executions, fromMs, toMs);
  if (failed.length === 0 && gaps.length === 0) return null;
  const last = failed[0];
  return (
    <>
      <EuiCallOut color="warning" iconType="warning" size="s" title={`Rule "${rule.name}" may have missed alerts in this range`} data-test-subj="rule-health-banner">
        <ul>
          {failed.length > 0 && last && (
            <li>
              {failed.length} run(s) failed or were partial; latest at {formatTime(last.started_at)}
              {last.error ? `: ${last.error}` : ''}.
            </li>
          )}
          {gaps.slice(0, 3).map((g) => (
            <li key={`${g.from}-${g.to}`}>
              Gap: no run covered {formatTime(g.from)} to {formatTime(g.to)}.
            </li>
          ))}
          {gaps.length > 3 && <li>and {gaps.length - 3} more gap(s).</li>}
        </ul>
        <RouterLink to={`/rules/${encodeURIComponent(rule.rule_id)}`}>Open the rule page</RouterLink>
      </EuiCallOut>
      <EuiSpacer size="s" />
    </>
  );
}

/** Warns when a rule had failed runs or gaps in the shown range (alerts may be missing). */
export function RuleHealthBanner({ from, to }: { from: string; to: string }) {
  const rules = useRulesQuery();
  const range = resolveRange(from, to);
  if (!rules.data || !range) return null;
  return (
    <>
      {rules.data.rules.map((rule) => (
        <RuleBanner key={rule.rule_id} rule={rule} fromMs={range.fromMs} toMs={range.toMs} />
      ))}
    </>
  );
}
