import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { EuiGlobalToastList, type EuiGlobalToastListToast } from '@elastic/eui';

type ToastInput = { title: string; text?: string; color?: 'success' | 'danger' | 'warning' | 'primary' };
const ToastContext = createContext<(toast: ToastInput) => void>(() => undefined);

/** Hosts the toast list; `useToast()` adds to it. */
export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<EuiGlobalToastListToast[]>([]);
  const add = useCallback((t: ToastInput) => {
    const id = `${Date.now()}-${Math.random()}`;
    setToasts((list) => [...list, { id, title: t.title, text: t.text, color: t.color ?? 'success', 'data-test-subj': 'toast' }]);
  }, []);
  const remove = useCallback((removed: EuiGlobalToastListToast) => setToasts((list) => list.filter((t) => t.id !== removed.id)), []);
  const value = useMemo(() => add, [add]);
  return (
    <ToastContext.Provider value={value}>
      {children}
      <EuiGlobalToastList toasts={toasts} dismissToast={remove} toastLifeTimeMs={6000} />
    </ToastContext.Provider>
  );
}

/** Shows a toast. */
export function useToast(): (toast: ToastInput) => void {
  return useContext(ToastContext);
}
