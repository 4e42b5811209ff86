import { EuiBasicTable, EuiButton, EuiCode, EuiModal, EuiModalBody, EuiModalFooter, EuiModalHeader, EuiModalHeaderTitle, EuiSpacer, EuiText } from '@elastic/eui';
import { shortcutList } from '../keyboard-shortcuts';

type Row = (typeof shortcutList)[number];

const columns = [
  { name: 'Key', width: '90px', render: (row: Row) => row.keys.map((k) => <EuiCode key={k}>{k}</EuiCode>) },
  { field: 'action', name: 'Does' },
];

/** Lists the alerts page's keyboard shortcuts (opened with `?`). */
export function ShortcutsHelpModal({ onClose }: { onClose: () => void }) {
  return (
    <EuiModal onClose={onClose} aria-labelledby="shortcuts-help-title" data-test-subj="shortcuts-help" style={{ width: 520 }}>
      <EuiModalHeader>
        <EuiModalHeaderTitle id="shortcuts-help-title">Keyboard shortcuts</EuiModalHeaderTitle>
      </EuiModalHeader>
      <EuiModalBody>
        <EuiBasicTable<Row> tableCaption="Keyboard shortcuts" items={[...shortcutList]} columns={columns} compressed />
        <EuiSpacer size="s" />
        <EuiText size="xs" color="subdued">
          <p>Shortcuts do nothing while you type in a field, and only Esc and ? work while a dialog is open.</p>
        </EuiText>
      </EuiModalBody>
      <EuiModalFooter>
        <EuiButton onClick={onClose} fill data-test-subj="shortcuts-help-close">
          Got it
        </EuiButton>
      </EuiModalFooter>
    </EuiModal>
  );
}
