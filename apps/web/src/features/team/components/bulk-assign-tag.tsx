import { useState, type ReactElement } from 'react';
import {
  EuiButton,
  EuiButtonEmpty,
  EuiComboBox,
  EuiContextMenuItem,
  EuiFormRow,
  EuiModal,
  EuiModalBody,
  EuiModalFooter,
  EuiModalHeader,
  EuiModalHeaderTitle,
  EuiText,
} from '@elastic/eui';
import type { BulkUpdateAlerts } from '@execwatch/api';
import { useToast } from '../../../app/toasts';
import { errorMessage } from '../../../lib/http';
import { formatCount } from '../../../lib/format';
import { bulkResultToast } from '../../alerts/bulk-result';
import { useBulkUpdateAlertsMutation } from '../../alerts/api/use-bulk-update-alerts-mutation';
import type { BulkTarget } from '../../alerts/components/bulk-actions';
import { AssigneePicker } from './assignee-picker';

/**
 * "Assign or tag…" for the alerts table's "Take action" menu: a menu item and the dialog it opens (kept outside
 * the menu, which closes). Adds assignees (known users) and tags to every selected alert.
 */
export function useBulkAssignTag(target: BulkTarget, onDone: () => void, closeMenu: () => void): { menuItem: ReactElement; modal: ReactElement | null } {
  const [open, setOpen] = useState(false);
  const menuItem = (
    <EuiContextMenuItem
      key="assign-tag"
      icon="users"
      onClick={() => {
        closeMenu();
        setOpen(true);
      }}
      data-test-subj="bulk-assign-tag"
    >
      Assign or tag…
    </EuiContextMenuItem>
  );
  const modal = open ? (
    <BulkAssignTagModal
      target={target}
      onClose={() => setOpen(false)}
      onDone={() => {
        setOpen(false);
        onDone();
      }}
    />
  ) : null;
  return { menuItem, modal };
}

function BulkAssignTagModal({ target, onClose, onDone }: { target: BulkTarget; onClose: () => void; onDone: () => void }) {
  const [assignees, setAssignees] = useState<string[]>([]);
  const [tags, setTags] = useState<string[]>([]);
  const mutation = useBulkUpdateAlertsMutation();
  const toast = useToast();
  const count = target.kind === 'ids' ? target.ids.length : target.total;
  const apply = () => {
    const body: BulkUpdateAlerts = {
      ...(target.kind === 'ids' ? { ids: target.ids } : { query: target.filter, expected_total: target.total }),
      ...(assignees.length > 0 ? { add_assignees: assignees } : {}),
      ...(tags.length > 0 ? { add_tags: tags } : {}),
    };
    mutation.mutate(body, {
      onSuccess: (result) => {
        toast(bulkResultToast(result));
        onDone();
      },
      onError: (err) => toast({ title: 'Assigning or tagging failed', text: errorMessage(err), color: 'danger' }),
    });
  };
  return (
    <EuiModal onClose={onClose} data-test-subj="bulk-assign-tag-modal" aria-labelledby="bulk-assign-tag-title">
      <EuiModalHeader>
        <EuiModalHeaderTitle id="bulk-assign-tag-title">
          Assign or tag {formatCount(count)} alert{count === 1 ? '' : 's'}
        </EuiModalHeaderTitle>
      </EuiModalHeader>
      <EuiModalBody>
        <EuiFormRow label="Add assignees" fullWidth>
          <AssigneePicker aria-label="Add assignees" selected={assignees} onChange={setAssignees} data-test-subj="bulk-assignees" />
        </EuiFormRow>
        <EuiFormRow label="Add tags" fullWidth>
          <EuiComboBox
            compressed
            fullWidth
            noSuggestions
            aria-label="Add tags"
            placeholder="Type and press Enter to add"
            selectedOptions={tags.map((t) => ({ label: t }))}
            onCreateOption={(v) => {
              const value = v.trim();
              if (value && !tags.includes(value)) setTags([...tags, value]);
            }}
            onChange={(next) => setTags(next.map((o) => o.label))}
            data-test-subj="bulk-tags"
          />
        </EuiFormRow>
        <EuiText size="xs" color="subdued">
          <p>Assignees and tags are added; the ones the alerts already have stay.</p>
        </EuiText>
      </EuiModalBody>
      <EuiModalFooter>
        <EuiButtonEmpty onClick={onClose}>Cancel</EuiButtonEmpty>
        <EuiButton fill isLoading={mutation.isPending} isDisabled={assignees.length === 0 && tags.length === 0} onClick={apply} data-test-subj="bulk-assign-tag-apply">
          Apply to {formatCount(count)} alert{count === 1 ? '' : 's'}
        </EuiButton>
      </EuiModalFooter>
    </EuiModal>
  );
}
