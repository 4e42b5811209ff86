import { EuiComboBox, EuiFormRow } from '@elastic/eui';
import type { AlertDetail } from '@execwatch/api';
import { useToast } from '../../../app/toasts';
import { errorMessage } from '../../../lib/http';
import { useAbility } from '../../auth/components/abilities-context';
import { AssigneePicker } from '../../team/components/assignee-picker';
import { useUpdateAlertMutation } from '../api/use-update-alert-mutation';

/** Assignees (known users, picked from suggestions) and tags (free text), saved on each change. */
export function AssigneesTags({ alert }: { alert: AlertDetail }) {
  const triage = useAbility('alerts:triage');
  const mutation = useUpdateAlertMutation(alert.id);
  const toast = useToast();
  const save = (patch: { assignees?: string[]; tags?: string[] }) =>
    mutation.mutate(patch, { onError: (err) => toast({ title: 'Could not save', text: errorMessage(err), color: 'danger' }) });
  const editor = (kind: 'tags', label: string, values: string[]) => (
    <EuiFormRow label={label} helpText={triage.reason} display="rowCompressed" fullWidth>
      <EuiComboBox
        compressed
        fullWidth
        noSuggestions
        aria-label={label}
        placeholder={triage.allowed ? `Type and press Enter to add` : undefined}
        isDisabled={!triage.allowed || mutation.isPending}
        selectedOptions={values.map((v) => ({ label: v }))}
        onCreateOption={(v) => {
          const value = v.trim();
          if (value && !values.includes(value)) save({ [kind]: [...values, value] });
        }}
        onChange={(next) => save({ [kind]: next.map((o) => o.label) })}
        data-test-subj={`alert-${kind}`}
      />
    </EuiFormRow>
  );
  return (
    <>
      <EuiFormRow label="Assignees" helpText={triage.reason} display="rowCompressed" fullWidth>
        <AssigneePicker
          aria-label="Assignees"
          selected={alert.assignees}
          isDisabled={!triage.allowed}
          isLoading={mutation.isPending}
          onChange={(next) => save({ assignees: next })}
          data-test-subj="alert-assignees"
        />
      </EuiFormRow>
      {editor('tags', 'Tags', alert.tags)}
    </>
  );
}
