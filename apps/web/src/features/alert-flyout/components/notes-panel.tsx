import { useState } from 'react';
import { EuiButton, EuiComment, EuiCommentList, EuiSkeletonText, EuiSpacer, EuiText, EuiTextArea } from '@elastic/eui';
import { useToast } from '../../../app/toasts';
import { QueryError } from '../../../components/query-error';
import { errorMessage } from '../../../lib/http';
import { formatTime } from '../../../lib/format';
import { useAbility } from '../../auth/components/abilities-context';
import { AbilityTooltip } from '../../auth/components/ability-tooltip';
import { useAlertNotesQuery } from '../api/use-alert-notes-query';
import { useCreateNoteMutation } from '../api/use-create-note-mutation';

/** Notes on the alert and a box to add one. */
export function NotesPanel({ alertId }: { alertId: string }) {
  const notes = useAlertNotesQuery(alertId);
  const create = useCreateNoteMutation(alertId);
  const triage = useAbility('alerts:triage');
  const toast = useToast();
  const [text, setText] = useState('');
  return (
    <div data-test-subj="alert-notes">
      {notes.isPending ? (
        <EuiSkeletonText lines={3} />
      ) : notes.isError ? (
        <QueryError error={notes.error} title="Notes could not be loaded" onRetry={() => void notes.refetch()} />
      ) : notes.data.length === 0 ? (
        <EuiText size="s" color="subdued">
          <p>No notes yet.</p>
        </EuiText>
      ) : (
        <EuiCommentList aria-label="Notes">
          {notes.data.map((n) => (
            <EuiComment key={n.id} username={n.author} timestamp={formatTime(n.created_at)} event="added a note" data-test-subj="alert-note">
              <EuiText size="s">
                <p style={{ whiteSpace: 'pre-wrap' }}>{n.text}</p>
              </EuiText>
            </EuiComment>
          ))}
        </EuiCommentList>
      )}
      <EuiSpacer size="m" />
      <EuiTextArea
        fullWidth
        rows={3}
        placeholder="Add a note for other analysts"
        aria-label="New note"
        value={text}
        disabled={!triage.allowed}
        onChange={(e) => setText(e.target.value)}
        data-test-subj="note-text"
      />
      <EuiSpacer size="s" />
      <AbilityTooltip reason={triage.reason}>
        <EuiButton
          size="s"
          isDisabled={!triage.allowed || text.trim().length === 0}
          isLoading={create.isPending}
          onClick={() =>
            create.mutate(text.trim(), {
              onSuccess: () => setText(''),
              onError: (err) => toast({ title: 'The note could not be saved', text: errorMessage(err), color: 'danger' }),
            })
          }
          data-test-subj="note-submit"
        >
          Add note
        </EuiButton>
      </AbilityTooltip>
    </div>
  );
}
