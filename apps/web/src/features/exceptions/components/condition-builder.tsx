import {
  EuiButtonEmpty,
  EuiButtonIcon,
  EuiComboBox,
  EuiFieldText,
  EuiFlexGroup,
  EuiFlexItem,
  EuiFormRow,
  EuiSelect,
  EuiText,
} from '@elastic/eui';
import { conditionOperators, conditionProblem, operatorArity, operatorLabels, type Condition, type ConditionOperator } from '../exception-conditions';

const operatorOptions = conditionOperators.map((op) => ({ value: op, text: operatorLabels[op] }));

/** Fields offered as suggestions (any ECS field may be typed). */
const suggestedFields = [
  'kubernetes.audit.user.username',
  'kubernetes.audit.user.groups',
  'kubernetes.audit.impersonatedUser.username',
  'kubernetes.audit.sourceIPs',
  'user.name',
  'user.id',
  'orchestrator.namespace',
  'orchestrator.resource.name',
  'orchestrator.resource.label',
  'orchestrator.cluster.name',
  'container.image.name',
  'container.image.tag',
  'container.id',
  'process.name',
  'process.executable',
  'process.args',
  'process.parent.name',
  'process.working_directory',
  'host.name',
  'cloud.account.id',
];

interface Props {
  conditions: Condition[];
  onChange: (conditions: Condition[]) => void;
  disabled: boolean;
  showProblems: boolean;
}

/** The AND-ed conditions of an exception item, one row each, every row removable. */
export function ConditionBuilder({ conditions, onChange, disabled, showProblems }: Props) {
  const set = (index: number, patch: Partial<Condition>) => onChange(conditions.map((c, i) => (i === index ? { ...c, ...patch } : c)));
  return (
    <div data-test-subj="exception-conditions">
      <datalist id="exception-field-suggestions">
        {suggestedFields.map((f) => (
          <option key={f} value={f} />
        ))}
      </datalist>
      {conditions.map((c, index) => {
        const problem = showProblems ? conditionProblem(c) : null;
        const arity = operatorArity(c.operator);
        return (
          <div key={index}>
            {index > 0 && (
              <EuiText size="xs" color="subdued" style={{ margin: '4px 0' }}>
                <strong>AND</strong>
              </EuiText>
            )}
            <EuiFlexGroup gutterSize="s" alignItems="flexStart" responsive={false} data-test-subj="exception-condition">
              <EuiFlexItem grow={4}>
                <EuiFormRow label={index === 0 ? 'Field' : undefined} display="rowCompressed" isInvalid={problem === 'Choose a field'}>
                  <EuiFieldText
                    compressed
                    value={c.field}
                    list="exception-field-suggestions"
                    onChange={(e) => set(index, { field: e.target.value })}
                    disabled={disabled}
                    aria-label={`Field of condition ${index + 1}`}
                    data-test-subj="exception-condition-field"
                  />
                </EuiFormRow>
              </EuiFlexItem>
              <EuiFlexItem grow={3}>
                <EuiFormRow label={index === 0 ? 'Operator' : undefined} display="rowCompressed">
                  <EuiSelect
                    compressed
                    options={operatorOptions}
                    value={c.operator}
                    onChange={(e) => set(index, { operator: e.target.value as ConditionOperator /* options come from conditionOperators */ })}
                    disabled={disabled}
                    aria-label={`Operator of condition ${index + 1}`}
                    data-test-subj="exception-condition-operator"
                  />
                </EuiFormRow>
              </EuiFlexItem>
              <EuiFlexItem grow={5}>
                <EuiFormRow
                  label={index === 0 ? 'Value' : undefined}
                  display="rowCompressed"
                  isInvalid={problem !== null && problem !== 'Choose a field'}
                  error={problem ?? undefined}
                >
                  {arity === 'none' ? (
                    <EuiFieldText compressed disabled value="" placeholder="(no value)" aria-label={`Value of condition ${index + 1}`} />
                  ) : arity === 'many' ? (
                    <EuiComboBox
                      compressed
                      noSuggestions
                      placeholder="Type a value, press Enter"
                      selectedOptions={c.values.map((v) => ({ label: v }))}
                      onCreateOption={(v) => set(index, { values: [...c.values, v] })}
                      onChange={(opts) => set(index, { values: opts.map((o) => o.label) })}
                      isDisabled={disabled}
                      aria-label={`Values of condition ${index + 1}`}
                      data-test-subj="exception-condition-values"
                    />
                  ) : (
                    <EuiFieldText
                      compressed
                      value={c.values[0] ?? ''}
                      placeholder={c.operator === 'matches' || c.operator === 'does_not_match' ? 'e.g. */runner-*' : undefined}
                      onChange={(e) => set(index, { values: [e.target.value] })}
                      disabled={disabled}
                      aria-label={`Value of condition ${index + 1}`}
                      data-test-subj="exception-condition-value"
                    />
                  )}
                </EuiFormRow>
              </EuiFlexItem>
              <EuiFlexItem grow={false} style={{ paddingTop: index === 0 ? 22 : 0 }}>
                <EuiButtonIcon
                  iconType="trash"
                  color="danger"
                  aria-label={`Remove condition ${index + 1}`}
                  onClick={() => onChange(conditions.filter((_, i) => i !== index))}
                  isDisabled={disabled || conditions.length === 1}
                  data-test-subj="exception-condition-remove"
                />
              </EuiFlexItem>
            </EuiFlexGroup>
          </div>
        );
      })}
      <EuiButtonEmpty
        size="xs"
        iconType="plusCircle"
        flush="left"
        onClick={() => onChange([...conditions, { field: '', operator: 'is', values: [] }])}
        isDisabled={disabled}
        data-test-subj="exception-condition-add"
      >
        AND
      </EuiButtonEmpty>
    </div>
  );
}
