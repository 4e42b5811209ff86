import { useCallback, useState } from 'react';
import { mergeStoredColumns } from '../visible-columns';
import { alertColumns, defaultVisibleColumns } from './alert-columns';

const STORAGE_KEY = 'execwatch.alerts.columns';
/** The columns the table offered when the choice was saved, so columns added later show up once. */
const SEEN_KEY = 'execwatch.alerts.columns.seen';
/** Columns added after the first release, which did not remember what it had offered. */
const ADDED_SINCE_FIRST_RELEASE = ['session_risk'];

function readJson(key: string): unknown {
  const raw = window.localStorage.getItem(key);
  return raw ? (JSON.parse(raw) as unknown) : null;
}

function readStored(): string[] {
  try {
    return mergeStoredColumns({
      stored: readJson(STORAGE_KEY),
      seen: readJson(SEEN_KEY),
      known: alertColumns.map((c) => c.id),
      defaults: defaultVisibleColumns,
      addedSinceFirstRelease: ADDED_SINCE_FIRST_RELEASE,
    });
  } catch {
    return defaultVisibleColumns;
  }
}

/** The analyst's column choice, remembered in this browser. */
export function useVisibleColumns(): [string[], (ids: string[]) => void] {
  const [visible, setVisible] = useState<string[]>(readStored);
  const update = useCallback((ids: string[]) => {
    setVisible(ids);
    try {
      window.localStorage.setItem(STORAGE_KEY, JSON.stringify(ids));
      window.localStorage.setItem(SEEN_KEY, JSON.stringify(alertColumns.map((c) => c.id)));
    } catch {
      // Storage may be unavailable (private mode); the choice then lasts for this page only.
    }
  }, []);
  return [visible, update];
}
