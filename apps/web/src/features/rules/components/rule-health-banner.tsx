import { Fragment, useState } from 'react';
import { EuiButtonEmpty, EuiCallOut, EuiSpacer, EuiText } from '@elastic/eui';
import type { Rule } from '@execwatch/api';
import { useToast } from '../../../app/toasts';
import { RouterLink } from '../../../components/router-link';
import { formatTime } from '../../../lib/format';
import { errorMessage } from '../../../lib/http';
import { resolveRange } from '../../../lib/time-range';
import { useAbility } from '../../auth/components/abilities-context';
import { AbilityTooltip } from '../../auth/components/ability-tooltip';
import { useRuleExecutionsQuery } from '../api/use-rule-executions-query';
import { useRulesQuery } from '../api/use-rules-query';
import { useRunRuleMutation } from '../api/use-run-rule-mutation';
import { addDismissed, disabledKey, problemsKey, readDismissed, sessionStore } from '../banner-dismissal';
import { executionProblemsInRange } from '../execution-problems';

type Dismiss = (key: string) => void;

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Runs the rule over each missed window, one after the other, and says what the runs found. */
function FillGapsButton({ ruleId, gaps }: { ruleId: string; gaps: Array<{ from: string; to: string }> }) {
  const write = useAbility('rules:write');
  const run = useRunRuleMutation(ruleId);
  const toast = useToast();
  const [busy, setBusy] = useState(false);
  const fill = async () => {
    setBusy(true);
    let matched = 0;
    let created = 0;
    try {
      for (const gap of gaps) {
        const execution = await run.mutateAsync({ from: gap.from, to: gap.to });
        if (execution.status === 'failed') throw new Error(execution.error ?? 'the run failed');
        matched += execution.events_matched;
        created += execution.alerts_created;
      }
      toast({ title: gaps.length === 1 ? 'Gap filled' : `${gaps.length} gaps filled`, text: `${matched} event(s) matched, ${created} new alert(s).` });
    } catch (err) {
      toast({ title: 'The gap could not be filled', text: errorMessage(err), color: 'danger' });
    } finally {
      setBusy(false);
    }
  };
  return (
    <AbilityTooltip reason={write.reason}>
      <EuiButtonEmpty size="xs" iconType="play" isDisabled={!write.allowed} isLoading={busy} onClick={() => void fill()} data-test-subj="rule-fill-gap">
        {gaps.length === 1 ? 'Fill gap' : `Fill ${gaps.length} gaps`}
      </EuiButtonEmpty>
    </AbilityTooltip>
  );
}

function ProblemsBanner({ rule, fromMs, toMs, dismissed, onDismiss }: { rule: Rule; fromMs: number; toMs: number; dismissed: ReadonlySet<string>; onDismiss: Dismiss }) {
  const executions = useRuleExecutionsQuery(rule.rule_id);
  const [expanded, setExpanded] = useState(false);
  if (!executions.data) return null;
  const problems = executionProblemsInRange(executions.data.executions, fromMs, toMs);
  const { failed, gaps } = problems;
  if (failed.length === 0 && gaps.length === 0) return null;
  const key = problemsKey(rule.rule_id, problems);
  if (dismissed.has(key)) return null;
  const last = failed[0];
  const firstGap = gaps[0];
  const summary = [
    failed.length > 0 && last ? `${plural(failed.length, 'run', 'runs')} failed or partial, latest ${formatTime(last.started_at)}${last.error ? `: ${last.error}` : ''}` : null,
    gaps.length === 1 && firstGap ? `no run covered ${formatTime(firstGap.from)} to ${formatTime(firstGap.to)}` : gaps.length > 1 ? `${gaps.length} gaps no run covered` : null,
  ].filter((part): part is string => part !== null);
  return (
    <>
      <EuiCallOut
        color="warning"
        iconType="warning"
        size="s"
        title={
          <>
            <span data-test-subj="rule-health-summary">
              Rule "{rule.name}" may have missed alerts in this range: {summary.join('; ')}.
            </span>{' '}
            {gaps.length > 0 && <FillGapsButton ruleId={rule.rule_id} gaps={gaps} />}
            {failed.length + gaps.length > 1 && (
              <EuiButtonEmpty size="xs" iconType={expanded ? 'chevronSingleDown' : 'chevronSingleRight'} onClick={() => setExpanded(!expanded)} aria-expanded={expanded} data-test-subj="rule-health-details">
                {expanded ? 'Hide details' : 'Details'}
              </EuiButtonEmpty>
            )}{' '}
            <RouterLink to={`/rules/${encodeURIComponent(rule.rule_id)}`}>Open the rule page</RouterLink>
          </>
        }
        onDismiss={() => onDismiss(key)}
        data-test-subj="rule-health-banner"
      >
        {expanded && (
          <EuiText size="xs">
            <ul>
              {failed.slice(0, 5).map((e) => (
                <li key={e.id}>
                  Run {e.status} at {formatTime(e.started_at)}
                  {e.error ? `: ${e.error}` : ''}
                </li>
              ))}
              {gaps.slice(0, 5).map((g) => (
                <li key={`${g.from}-${g.to}`}>
                  Gap: no run covered {formatTime(g.from)} to {formatTime(g.to)}
                </li>
              ))}
              {failed.length + gaps.length > 10 && <li>and more on the rule page.</li>}
            </ul>
          </EuiText>
        )}
      </EuiCallOut>
      <EuiSpacer size="s" />
    </>
  );
}

function DisabledBanner({ rule, onDismiss }: { rule: Rule; onDismiss: Dismiss }) {
  return (
    <>
      <EuiCallOut
        color="primary"
        iconType="pause"
        size="s"
        title={
          <>
            Rule "{rule.name}" is disabled: it raises no new alerts.{' '}
            <RouterLink to={`/rules/${encodeURIComponent(rule.rule_id)}`} testSubj="rule-disabled-link">
              Open the rule page
            </RouterLink>
          </>
        }
        onDismiss={() => onDismiss(disabledKey(rule))}
        data-test-subj="rule-disabled-banner"
      />
      <EuiSpacer size="s" />
    </>
  );
}

/**
 * Warns when a rule is disabled, or had failed runs or gaps in the shown range (alerts may be missing), with
 * "fill gap". Each banner can be dismissed for the browser session; a new problem brings it back.
 */
export function RuleHealthBanner({ from, to }: { from: string; to: string }) {
  const rules = useRulesQuery();
  const [dismissed, setDismissed] = useState(() => readDismissed(sessionStore()));
  const range = resolveRange(from, to);
  if (!rules.data || !range) return null;
  const dismiss: Dismiss = (key) => setDismissed((current) => addDismissed(sessionStore(), current, key));
  return (
    <>
      {rules.data.rules.map((rule) => (
        <Fragment key={rule.rule_id}>
          {!rule.enabled && !dismissed.has(disabledKey(rule)) && <DisabledBanner rule={rule} onDismiss={dismiss} />}
          <ProblemsBanner rule={rule} fromMs={range.fromMs} toMs={range.toMs} dismissed={dismissed} onDismiss={dismiss} />
        </Fragment>
      ))}
    </>
  );
}
