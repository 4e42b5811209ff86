import { useState } from 'react';
import {
  EuiButton,
  EuiButtonEmpty,
  EuiCallOut,
  EuiFilePicker,
  EuiModal,
  EuiModalBody,
  EuiModalFooter,
  EuiModalHeader,
  EuiModalHeaderTitle,
  EuiSpacer,
  EuiSwitch,
} from '@elastic/eui';
import type { ImportExceptionsResponse } from '@execwatch/api';
import { errorMessage } from '../../../lib/http';
import { useImportExceptionsMutation } from '../api/use-import-exceptions-mutation';

/** Imports a Kibana exception-list export (ndjson); items are kept as they are. */
export function ImportModal({ onClose }: { onClose: () => void }) {
  const [file, setFile] = useState<File | null>(null);
  const [overwrite, setOverwrite] = useState(false);
  const [asNewList, setAsNewList] = useState(false);
  const [result, setResult] = useState<ImportExceptionsResponse | null>(null);
  const mutation = useImportExceptionsMutation();
  return (
    <EuiModal onClose={onClose} data-test-subj="exceptions-import-modal" aria-labelledby="exceptions-import-title">
      <EuiModalHeader>
        <EuiModalHeaderTitle id="exceptions-import-title">Import exceptions</EuiModalHeaderTitle>
      </EuiModalHeader>
      <EuiModalBody>
        <EuiFilePicker
          accept=".ndjson,.json,application/x-ndjson,application/ndjson"
          initialPromptText="Select or drag a Kibana exception list export (.ndjson)"
          onChange={(files) => {
            setFile(files && files.length > 0 ? files[0] : null);
            setResult(null);
          }}
          display="large"
          data-test-subj="exceptions-import-file"
        />
        <EuiSpacer size="m" />
        <EuiSwitch label="Overwrite lists and items with the same ids" checked={overwrite} onChange={(e) => setOverwrite(e.target.checked)} data-test-subj="exceptions-import-overwrite" />
        <EuiSpacer size="s" />
        <EuiSwitch label="Import as a new list" checked={asNewList} onChange={(e) => setAsNewList(e.target.checked)} />
        <EuiSpacer size="m" />
        {mutation.isError && <EuiCallOut color="danger" size="s" title="The import failed" data-test-subj="exceptions-import-error"><p>{errorMessage(mutation.error)}</p></EuiCallOut>}
        {result && (
          <EuiCallOut
            color={result.errors.length > 0 ? 'warning' : 'success'}
            size="s"
            title={`Imported ${result.success_count_exception_lists} list(s) and ${result.success_count_exception_list_items} item(s)`}
            data-test-subj="exceptions-import-result"
          >
            {result.errors.length > 0 && (
              <ul>
                {result.errors.slice(0, 10).map((e, i) => (
                  <li key={i}>
                    {e.item_id ?? e.list_id ?? e.id ?? 'line'}: {e.error.message}
                  </li>
                ))}
              </ul>
            )}
          </EuiCallOut>
        )}
      </EuiModalBody>
      <EuiModalFooter>
        <EuiButtonEmpty onClick={onClose}>Close</EuiButtonEmpty>
        <EuiButton
          fill
          isDisabled={!file}
          isLoading={mutation.isPending}
          onClick={() => file && mutation.mutate({ file, overwrite, asNewList }, { onSuccess: setResult })}
          data-test-subj="exceptions-import-submit"
        >
          Import
        </EuiButton>
      </EuiModalFooter>
    </EuiModal>
  );
}
