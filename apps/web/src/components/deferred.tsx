import { useEffect, useState, type ReactNode } from 'react';

/**
 * Renders its children one frame after mounting (with `placeholder` until then), so what the
 * analyst waits for (the rows, the alert's reason) paints first and secondary controls follow.
 */
export function Deferred({ children, placeholder = null }: { children: ReactNode; placeholder?: ReactNode }) {
  const [ready, setReady] = useState(false);
  useEffect(() => {
    let timer = 0;
    const frame = requestAnimationFrame(() => {
      timer = window.setTimeout(() => setReady(true), 0);
    });
    return () => {
      cancelAnimationFrame(frame);
      window.clearTimeout(timer);
    };
  }, []);
  return <>{ready ? children : placeholder}</>;
}
