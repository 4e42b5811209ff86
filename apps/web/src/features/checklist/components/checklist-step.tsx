import { Fragment, useState, type ReactNode } from 'react';
import {
  EuiBadge,
  EuiButtonEmpty,
  EuiButtonIcon,
  EuiCheckbox,
  EuiFieldText,
  EuiFlexGroup,
  EuiFlexItem,
  EuiText,
  EuiTextColor,
  EuiToolTip,
} from '@elastic/eui';
import type { ChecklistStep } from '@execwatch/api';
import { formatTime } from '../../../lib/format';

interface Props {
  step: ChecklistStep;
  canTick: boolean;
  tickReason: string | undefined;
  /** Flips the step; the panel works out from which state (see `useUpdateChecklistStepMutation`). */
  onToggle: (note: string | undefined) => void;
  onSaveNote: (note: string | undefined) => void;
  onFilter: (field: string, value: string) => void;
  onShowRelated: (field: string, value: string) => void;
  /** What Execwatch already knows that answers the step, shown under its text. */
  answer?: ReactNode;
}

/** Renders the step's text with the field names it mentions set as code. */
function StepText({ text, fields }: { text: string; fields: string[] }) {
  if (fields.length === 0) return <>{text}</>;
  const escaped = fields.map((f) => f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).sort((a, b) => b.length - a.length);
  const parts = text.split(new RegExp(`(${escaped.join('|')})`, 'g'));
  return (
    <>
      {parts.map((part, i) => (fields.includes(part) ? <code key={i}>{part}</code> : <Fragment key={i}>{part}</Fragment>))}
    </>
  );
}

/** ECS user fields of a process event name the Linux user inside the container, not whoever ran kubectl. */
function isContainerUserField(field: string): boolean {
  return /(^|\.)user\.(id|name)$/.test(field);
}

/** One step of the investigation checklist: tick, note, and the alert's values for the fields it names. */
export function ChecklistStepItem({ step, canTick, tickReason, onToggle, onSaveNote, onFilter, onShowRelated, answer }: Props) {
  const [noteOpen, setNoteOpen] = useState(false);
  const [note, setNote] = useState(step.note ?? '');
  const checkbox = (
    <EuiCheckbox
      id={`step-${step.id}`}
      checked={step.done}
      disabled={!canTick || step.auto_checked}
      onChange={() => onToggle(note.trim() || undefined)}
      label={
        <EuiText size="s">
          <span>
            <StepText text={step.text} fields={step.fields.map((f) => f.field)} />
            {step.required && (
              <>
                {' '}
                <EuiBadge color="accent">Required</EuiBadge>
              </>
            )}
            {step.auto_checked && (
              <>
                {' '}
                <EuiBadge color="success" iconType="checkInCircleFilled" data-test-subj="checklist-step-auto">
                  Checked automatically
                </EuiBadge>
              </>
            )}
          </span>
        </EuiText>
      }
      data-test-subj="checklist-step-checkbox"
    />
  );
  return (
    <div
      data-test-subj="checklist-step"
      data-step-id={step.id}
      data-done={step.done ? 'true' : 'false'}
      data-auto={step.auto_checked ? 'true' : 'false'}
      style={{ padding: '8px 0', borderBottom: '1px solid #e3e8f2' }}
    >
      {step.auto_checked ? (
        <EuiToolTip content="The rule matches only events where this holds: the alert's own fields below answer it.">
          <span tabIndex={0}>{checkbox}</span>
        </EuiToolTip>
      ) : tickReason ? (
        <EuiToolTip content={tickReason}>
          <span tabIndex={0}>{checkbox}</span>
        </EuiToolTip>
      ) : (
        checkbox
      )}
      <div style={{ marginLeft: 24 }}>
        {answer && <div style={{ margin: '4px 0' }}>{answer}</div>}
        {step.auto_checked && (
          <div data-test-subj="checklist-step-evidence">
            {step.evidence.map((e) => (
              <EuiText size="xs" key={e.field} data-test-subj="checklist-step-evidence-item">
                <code>{e.field}</code>: <strong>{e.values.join(', ')}</strong>{' '}
                <EuiTextColor color="subdued">
                  (checked automatically: the rule requires <code>{e.field} {e.condition}</code>)
                </EuiTextColor>
              </EuiText>
            ))}
          </div>
        )}
        {!step.auto_checked && step.fields.map(({ field, values }) =>
          values.map((value) => (
            <EuiFlexGroup key={`${field}=${value}`} gutterSize="xs" alignItems="center" responsive={false} wrap data-test-subj="checklist-step-value">
              <EuiFlexItem grow={false}>
                <EuiText size="xs">
                  <code>{field}</code>: <strong>{value}</strong>
                  {isContainerUserField(field) && (
                    <EuiTextColor color="subdued" data-test-subj="checklist-step-value-hint">
                      {' '}
                      (Linux user in the container)
                    </EuiTextColor>
                  )}
                </EuiText>
              </EuiFlexItem>
              <EuiFlexItem grow={false}>
                <EuiButtonEmpty size="xs" iconType="filter" onClick={() => onFilter(field, value)} data-test-subj="step-filter-value">
                  Filter alerts by this value
                </EuiButtonEmpty>
              </EuiFlexItem>
              <EuiFlexItem grow={false}>
                <EuiButtonEmpty size="xs" iconType="list" onClick={() => onShowRelated(field, value)} data-test-subj="step-related-events">
                  Show related events
                </EuiButtonEmpty>
              </EuiFlexItem>
            </EuiFlexGroup>
          )),
        )}
        {step.done && !step.auto_checked && (
          <EuiText size="xs" color="subdued" data-test-subj="checklist-step-done-by">
            Done by {step.done_by ?? 'someone'} on {formatTime(step.done_at)}
          </EuiText>
        )}
        {step.note && !noteOpen && (
          <EuiText size="xs" data-test-subj="checklist-step-note-text">
            <EuiTextColor color="subdued">Note:</EuiTextColor> {step.note}
          </EuiText>
        )}
        {canTick && !step.auto_checked && (
          noteOpen ? (
            <EuiFlexGroup gutterSize="xs" alignItems="center" responsive={false}>
              <EuiFlexItem>
                <EuiFieldText
                  compressed
                  placeholder="Note for this step (saved with the tick)"
                  aria-label="Note for this step"
                  value={note}
                  onChange={(e) => setNote(e.target.value)}
                  data-test-subj="checklist-step-note"
                />
              </EuiFlexItem>
              <EuiFlexItem grow={false}>
                <EuiButtonIcon
                  iconType="check"
                  aria-label="Save note"
                  title="Save note"
                  onClick={() => {
                    onSaveNote(note.trim() || undefined);
                    setNoteOpen(false);
                  }}
                  data-test-subj="checklist-step-note-save"
                />
              </EuiFlexItem>
            </EuiFlexGroup>
          ) : (
            <EuiButtonEmpty size="xs" iconType="editorComment" onClick={() => setNoteOpen(true)} flush="left">
              {step.note ? 'Edit note' : 'Add note'}
            </EuiButtonEmpty>
          )
        )}
      </div>
    </div>
  );
}
