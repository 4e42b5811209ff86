import { useCallback, useMemo, useRef } from 'react';
import { useSearchParams } from 'react-router-dom';
import { parseAlertsViewState, serializeAlertsViewState, type AlertsViewState } from './alerts-view-state';

/** The alerts view read from and written to the URL. Changing anything but the page goes back to page 1. */
export function useAlertsView(): [AlertsViewState, (patch: Partial<AlertsViewState>, options?: { replace?: boolean }) => void] {
  const [params, setParams] = useSearchParams();
  const view = useMemo(() => parseAlertsViewState(params), [params]);
  // react-router hands out a new setter on every URL change; a stable `update` lets memoized children skip renders.
  const setParamsRef = useRef(setParams);
  setParamsRef.current = setParams;
  const update = useCallback(
    (patch: Partial<AlertsViewState>, options?: { replace?: boolean }) => {
      setParamsRef.current(
        (current) => {
          const before = parseAlertsViewState(current);
          const resetsPage = Object.keys(patch).some((k) => !['page', 'alert', 'refresh'].includes(k));
          const next: AlertsViewState = { ...before, ...(resetsPage ? { page: 1 } : {}), ...patch };
          return serializeAlertsViewState(next);
        },
        { replace: options?.replace ?? false },
      );
    },
    [],
  );
  return [view, update];
}
