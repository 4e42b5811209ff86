import { useCallback, useState } from 'react';
import { alertColumns, defaultVisibleColumns } from './alert-columns';

const STORAGE_KEY = 'execwatch.alerts.columns';

function readStored(): string[] {
  try {
    const raw = window.localStorage.getItem(STORAGE_KEY);
    if (!raw) return defaultVisibleColumns;
    const parsed: unknown = JSON.parse(raw);
    if (!Array.isArray(parsed)) return defaultVisibleColumns;
    const known = parsed.filter((id): id is string => typeof id === 'string' && alertColumns.some((c) => c.id === id));
    return known.length > 0 ? known : defaultVisibleColumns;
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
    } catch {
      // Storage may be unavailable (private mode); the choice then lasts for this page only.
    }
  }, []);
  return [visible, update];
}
