import { useState } from 'react';
import { EuiButtonEmpty, EuiComboBox, EuiHighlight, type EuiComboBoxOptionOption } from '@elastic/eui';
import { useDebouncedValue } from '../../exceptions/use-debounced-value';
import { useMe } from '../../auth/components/abilities-context';
import { useUserSuggestionsQuery } from '../api/use-user-suggestions-query';

interface Props {
  selected: readonly string[];
  onChange: (next: string[]) => void;
  isDisabled?: boolean;
  isLoading?: boolean;
  /** Offers "Assign to me" beside the picker when the caller is not assigned yet. */
  showAssignToMe?: boolean;
  'aria-label': string;
  'data-test-subj'?: string;
  fullWidth?: boolean;
}

/** Picks assignees among the known, enabled users (the server refuses anyone else), with "Assign to me". */
export function AssigneePicker({ selected, onChange, isDisabled = false, isLoading = false, showAssignToMe = true, fullWidth = true, ...rest }: Props) {
  const me = useMe().user.username;
  const [search, setSearch] = useState('');
  const q = useDebouncedValue(search.trim(), 150);
  const suggestions = useUserSuggestionsQuery(q, !isDisabled);
  const options: EuiComboBoxOptionOption<string>[] = (suggestions.data?.users ?? []).map((u) => ({
    label: u.username,
    value: u.full_name ?? '',
    'data-test-subj': `assignee-option-${u.username}`,
  }));
  return (
    <div>
      <EuiComboBox<string>
        compressed
        fullWidth={fullWidth}
        async
        aria-label={rest['aria-label']}
        placeholder={isDisabled ? undefined : 'Type a name to find a user'}
        isDisabled={isDisabled}
        isLoading={isLoading || suggestions.isFetching}
        options={options}
        selectedOptions={selected.map((u) => ({ label: u }))}
        onSearchChange={setSearch}
        onChange={(next) => onChange(next.map((o) => o.label))}
        renderOption={(option, searchValue) => (
          <span>
            <EuiHighlight search={searchValue}>{option.label}</EuiHighlight>
            {option.value ? <span style={{ opacity: 0.7 }}> · {option.value}</span> : null}
          </span>
        )}
        data-test-subj={rest['data-test-subj']}
      />
      {showAssignToMe && !isDisabled && !selected.includes(me) && (
        <EuiButtonEmpty size="xs" flush="left" iconType="user" onClick={() => onChange([...selected, me])} data-test-subj="assign-to-me">
          Assign to me
        </EuiButtonEmpty>
      )}
    </div>
  );
}
