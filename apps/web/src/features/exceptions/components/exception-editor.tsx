import { useMemo, useState } from 'react';
import {
  EuiButton,
  EuiButtonEmpty,
  EuiCallOut,
  EuiCheckbox,
  EuiFieldNumber,
  EuiFieldText,
  EuiFlexGroup,
  EuiFlexItem,
  EuiFlyoutBody,
  EuiFlyoutFooter,
  EuiFormRow,
  EuiSelect,
  EuiSpacer,
  EuiText,
  EuiTextArea,
  EuiTitle,
} from '@elastic/eui';
import type { AlertDetail, CloseByException, CloseByExceptionResponse, ExceptionListItem, ExceptionSettings, Rule } from '@execwatch/api';
import { errorMessage } from '../../../lib/http';
import { formatTime } from '../../../lib/format';
import { useAbility, useMe } from '../../auth/components/abilities-context';
import { AbilityTooltip } from '../../auth/components/ability-tooltip';
import { useCloseMatchingAlertsMutation } from '../api/use-close-matching-alerts-mutation';
import { useCreateExceptionItemMutation } from '../api/use-create-exception-item-mutation';
import { useExceptionPreviewQuery } from '../api/use-exception-preview-query';
import { useUpdateExceptionItemMutation } from '../api/use-update-exception-item-mutation';
import { exceptionTemplates, expiryAfterDays, isSequenceRule, namesAlertOnlyField, templateHint, type TemplateId } from '../exception-conditions';
import { applyTemplate, completeEntries, formProblems, hasUneditableEntries, initialFormState, toCreateBody, toUpdateBody } from '../exception-form';
import { ConditionBuilder } from './condition-builder';
import { ExceptionPreview } from './exception-preview';
import { useDebouncedValue } from '../use-debounced-value';
import { SaveResult, type SaveOutcome } from './save-result';

const templateOptions = [{ value: '', text: 'Choose a false-positive case…' }, ...exceptionTemplates.map((t) => ({ value: t.id, text: t.label }))];

interface Props {
  rule: Rule;
  alert: AlertDetail | undefined;
  item: ExceptionListItem | undefined;
  settings: ExceptionSettings;
  onClose: () => void;
}

/** The exception form: template, conditions, preview, expiry, owner, justification, and what to close on save. */
export function ExceptionEditor({ rule, alert, item, settings, onClose }: Props) {
  const me = useMe();
  const write = useAbility('exceptions:write');
  const [now] = useState(() => Date.now());
  const [form, setForm] = useState(() => initialFormState({ alert, item, defaultExpiryDays: settings.default_expiry_days, now, currentUser: me.user.username }));
  const [showProblems, setShowProblems] = useState(false);
  const [closeThisAlert, setCloseThisAlert] = useState(alert !== undefined && alert.workflow_status !== 'closed');
  const [closeAllMatching, setCloseAllMatching] = useState(false);
  const [outcome, setOutcome] = useState<SaveOutcome | null>(null);
  const create = useCreateExceptionItemMutation();
  const update = useUpdateExceptionItemMutation();
  const closeAlerts = useCloseMatchingAlertsMutation();

  const isNew = item === undefined;
  const entries = useMemo(() => completeEntries(form.conditions), [form.conditions]);
  const previewEntries = useDebouncedValue(entries, 400);
  const preview = useExceptionPreviewQuery(previewEntries ? { rule_id: rule.rule_id, entries: previewEntries, sample_size: 5 } : null);
  const problems = formProblems(form, { isNew, expiryMandatory: settings.expiry_mandatory });
  const listId = item?.list_id ?? rule.exceptions_list[0]?.list_id;
  const saving = create.isPending || update.isPending || closeAlerts.isPending;
  const disabled = !write.allowed || saving;
  const openMatches = preview.data?.open_alert_ids ?? [];
  const days = Number(form.expiryDays);
  const template = exceptionTemplates.find((t) => t.id === form.template);
  const hint = isNew && template ? templateHint(template, alert) : null;

  if (outcome) return <SaveResult outcome={outcome} onClose={onClose} />;

  const save = async () => {
    setShowProblems(true);
    if (problems.length > 0 || !listId) return;
    try {
      const saved = item ? await update.mutateAsync(toUpdateBody(form, item, Date.now())) : await create.mutateAsync(toCreateBody(form, listId, Date.now()));
      // The server computes what the saved item matches when it closes: never the preview's list, which may be stale.
      const requests: CloseByException[] = [];
      if (isNew && closeAllMatching) requests.push({ id: saved.data.id, rule_id: rule.rule_id });
      else if (isNew && closeThisAlert && alert) requests.push({ id: saved.data.id, rule_id: rule.rule_id, alert_ids: [alert.id] });
      const closed: CloseByExceptionResponse[] = [];
      let closeError: string | null = null;
      for (const request of requests) {
        // The item is saved by now: a refused close is reported with the outcome, not as "not saved".
        try {
          closed.push(await closeAlerts.mutateAsync(request));
        } catch (err) {
          closeError = errorMessage(err);
        }
      }
      setOutcome({ item: saved.data, warnings: saved.warnings, closed: closed[0] ?? null, closeError, isNew, closeRequest: requests[0] ?? null });
    } catch {
      // the mutation's error is shown below the form
    }
  };
  const saveError = create.error ?? update.error;

  return (
    <>
      <EuiFlyoutBody>
        {isSequenceRule(rule) && (
          <>
            <EuiCallOut color="warning" iconType="warning" size="s" title="This is a sequence rule" data-test-subj="exception-sequence-caveat">
              <p>Exceptions on sequence rules apply to every event of the sequence: an event that matches the exception is dropped before the sequence is built, so a sequence can fail to match because of any of its events.</p>
            </EuiCallOut>
            <EuiSpacer size="m" />
          </>
        )}
        {item && hasUneditableEntries(item) && (
          <>
            <EuiCallOut color="warning" iconType="warning" size="s" title="Some conditions of this item cannot be edited here (nested or value-list entries); saving replaces them with the conditions below." />
            <EuiSpacer size="m" />
          </>
        )}
        {isNew && (
          <EuiFormRow label="Template" helpText="The false-positive cases of the rule's investigation guide; conditions are filled from the alert." fullWidth>
            <EuiSelect
              options={templateOptions}
              value={form.template ?? ''}
              onChange={(e) => e.target.value !== '' && setForm(applyTemplate(form, e.target.value as TemplateId /* values come from exceptionTemplates */, settings.default_expiry_days, alert))}
              disabled={disabled}
              fullWidth
              data-test-subj="exception-template"
            />
          </EuiFormRow>
        )}
        {hint && (
          <>
            <EuiSpacer size="s" />
            <EuiCallOut color="warning" iconType="logoKubernetes" size="s" title="Check the Kubernetes identity" data-test-subj="exception-template-hint">
              <p>{hint}</p>
            </EuiCallOut>
            <EuiSpacer size="m" />
          </>
        )}
        <EuiFormRow label="Name" fullWidth isInvalid={showProblems && form.name.trim() === ''}>
          <EuiFieldText value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} disabled={disabled} fullWidth data-test-subj="exception-name" />
        </EuiFormRow>
        <EuiSpacer size="m" />
        <EuiTitle size="xxs">
          <h3>Conditions (all must match)</h3>
        </EuiTitle>
        <EuiSpacer size="s" />
        <ConditionBuilder conditions={form.conditions} onChange={(conditions) => setForm({ ...form, conditions })} disabled={disabled} showProblems={showProblems} />
        <EuiSpacer size="m" />
        <ExceptionPreview preview={preview.data} isFetching={preview.isFetching} error={preview.error} incomplete={entries === null} alertsOnly={namesAlertOnlyField(form.conditions)} />
        <EuiSpacer size="m" />
        <EuiFlexGroup gutterSize="m">
          <EuiFlexItem>
            <EuiFormRow
              label="Expires in (days)"
              helpText={form.noExpiry ? 'Never expires' : Number.isInteger(days) && days > 0 ? `Expires ${formatTime(expiryAfterDays(now, days))}` : undefined}
            >
              <EuiFieldNumber
                min={1}
                max={3650}
                value={form.expiryDays}
                onChange={(e) => setForm({ ...form, expiryDays: e.target.value, expiryTouched: true })}
                disabled={disabled || form.noExpiry}
                data-test-subj="exception-expiry-days"
              />
            </EuiFormRow>
            <EuiSpacer size="xs" />
            <EuiCheckbox
              id="exception-no-expiry"
              label={settings.expiry_mandatory ? 'No expiry (not allowed: an admin made expiry mandatory)' : 'No expiry'}
              checked={form.noExpiry}
              onChange={(e) => setForm({ ...form, noExpiry: e.target.checked, expiryTouched: true })}
              disabled={disabled || (settings.expiry_mandatory && !form.noExpiry)}
              data-test-subj="exception-no-expiry"
            />
          </EuiFlexItem>
          <EuiFlexItem>
            <EuiFormRow label="Owner" helpText="Who reviews this exception. Empty: you.">
              <EuiFieldText value={form.owner} placeholder={me.user.username} onChange={(e) => setForm({ ...form, owner: e.target.value })} disabled={disabled} data-test-subj="exception-owner" />
            </EuiFormRow>
          </EuiFlexItem>
        </EuiFlexGroup>
        <EuiSpacer size="m" />
        {item && item.comments.length > 0 && (
          <>
            <EuiTitle size="xxs">
              <h3>Comments (append-only)</h3>
            </EuiTitle>
            {item.comments.map((c) => (
              <EuiText size="xs" key={c.id} data-test-subj="exception-comment">
                <p>
                  <strong>{c.created_by}</strong> <span style={{ color: '#69707D' }}>{formatTime(c.created_at)}</span>: {c.comment}
                </p>
              </EuiText>
            ))}
            <EuiSpacer size="s" />
          </>
        )}
        <EuiFormRow
          label={isNew ? 'Justification (required)' : 'Add a comment'}
          helpText={isNew ? 'Why is this a false positive? Stored as the first comment; comments cannot be edited later.' : 'Comments are append-only.'}
          fullWidth
          isInvalid={showProblems && isNew && form.comment.trim() === ''}
        >
          <EuiTextArea rows={2} value={form.comment} onChange={(e) => setForm({ ...form, comment: e.target.value })} disabled={disabled} fullWidth data-test-subj="exception-justification" />
        </EuiFormRow>
        {isNew && (
          <>
            <EuiSpacer size="m" />
            {alert && (
              <EuiCheckbox
                id="exception-close-alert"
                label="Close this alert"
                checked={closeThisAlert}
                onChange={(e) => setCloseThisAlert(e.target.checked)}
                disabled={disabled || alert.workflow_status === 'closed'}
                data-test-subj="exception-close-alert"
              />
            )}
            <EuiCheckbox
              id="exception-close-matching"
              label={`Close all ${preview.data ? openMatches.length : '…'} open alerts this exception matches (reason: matched an exception; sessions of high risk stay open for review)`}
              checked={closeAllMatching}
              onChange={(e) => setCloseAllMatching(e.target.checked)}
              disabled={disabled || !preview.data || openMatches.length === 0}
              data-test-subj="exception-close-matching"
            />
          </>
        )}
        {!listId && (
          <>
            <EuiSpacer size="m" />
            <EuiCallOut color="danger" size="s" title="This rule has no exception list to add to." />
          </>
        )}
        {showProblems && problems.length > 0 && (
          <>
            <EuiSpacer size="m" />
            <EuiCallOut color="danger" size="s" iconType="error" title="Fix these first" data-test-subj="exception-problems">
              <ul>
                {problems.map((p) => (
                  <li key={p}>{p}</li>
                ))}
              </ul>
            </EuiCallOut>
          </>
        )}
        {saveError && (
          <>
            <EuiSpacer size="m" />
            <EuiCallOut color="danger" size="s" iconType="error" title="Not saved" data-test-subj="exception-save-error">
              <p>{errorMessage(saveError)}</p>
            </EuiCallOut>
          </>
        )}
      </EuiFlyoutBody>
      <EuiFlyoutFooter>
        <EuiFlexGroup justifyContent="spaceBetween" responsive={false}>
          <EuiFlexItem grow={false}>
            <EuiButtonEmpty onClick={onClose} flush="left" data-test-subj="exception-cancel">
              Cancel
            </EuiButtonEmpty>
          </EuiFlexItem>
          <EuiFlexItem grow={false}>
            <AbilityTooltip reason={write.reason}>
              <EuiButton fill onClick={() => void save()} isLoading={saving} isDisabled={!write.allowed} data-test-subj="exception-save">
                {isNew ? 'Add exception' : 'Save changes'}
              </EuiButton>
            </AbilityTooltip>
          </EuiFlexItem>
        </EuiFlexGroup>
      </EuiFlyoutFooter>
    </>
  );
}
