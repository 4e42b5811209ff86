import type { MouseEvent, ReactNode } from 'react';
import { EuiLink } from '@elastic/eui';
import { useNavigate } from 'react-router-dom';

/** An EUI link that navigates inside the app (a real `href`, so it opens in a new tab too). */
export function RouterLink({ to, children, testSubj }: { to: string; children: ReactNode; testSubj?: string }) {
  const navigate = useNavigate();
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    navigate(to);
  };
  return (
    <EuiLink href={to} onClick={onClick} data-test-subj={testSubj}>
      {children}
    </EuiLink>
  );
}
