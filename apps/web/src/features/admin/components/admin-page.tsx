import { EuiEmptyPrompt, EuiPageTemplate, EuiTab, EuiTabs } from '@elastic/eui';
import { Navigate, Route, Routes, useLocation, useNavigate } from 'react-router-dom';
import { useAbility } from '../../auth/components/abilities-context';
import { ApiKeysTab } from './api-keys-tab';
import { AuditTab } from './audit-tab';
import { UsersTab } from './users-tab';

/** Shown instead of a tab the role may not open (a typed-in address, an old bookmark). */
function NotAllowed({ what, reason }: { what: string; reason: string | undefined }) {
  return (
    <EuiEmptyPrompt
      iconType="lock"
      color="warning"
      title={<h2>You are not allowed to see {what}</h2>}
      body={<p>{reason}</p>}
      data-test-subj="admin-not-allowed"
    />
  );
}

/** The admin area: users, API keys (every signed-in user, for their own) and the audit log, as tabs. */
export default function AdminPage() {
  const manageUsers = useAbility('users:manage');
  const readAudit = useAbility('audit:read');
  const location = useLocation();
  const navigate = useNavigate();
  const tabs = [
    { id: 'users', label: 'Users', allowed: manageUsers.allowed },
    { id: 'api-keys', label: 'API keys', allowed: true },
    { id: 'audit', label: 'Audit log', allowed: readAudit.allowed },
  ].filter((t) => t.allowed);
  const current = location.pathname.split('/')[2] ?? '';
  const isAdminArea = manageUsers.allowed || readAudit.allowed;

  return (
    <EuiPageTemplate panelled={false} restrictWidth={false} grow>
      <EuiPageTemplate.Header
        pageTitle={isAdminArea || current !== 'api-keys' ? 'Administration' : 'API keys'}
        description={isAdminArea || current !== 'api-keys' ? 'Users and their roles, API keys, and the audit log of every change and sign-in.' : 'Keys for scripts and shippers that act as you.'}
        bottomBorder={false}
      />
      <EuiPageTemplate.Section paddingSize="m">
        {tabs.length > 1 && (
          <EuiTabs data-test-subj="admin-tabs">
            {tabs.map((t) => (
              <EuiTab
                key={t.id}
                href={`/admin/${t.id}`}
                isSelected={current === t.id}
                onClick={(e) => {
                  e.preventDefault();
                  navigate(`/admin/${t.id}`);
                }}
                data-test-subj={`admin-tab-${t.id}`}
              >
                {t.label}
              </EuiTab>
            ))}
          </EuiTabs>
        )}
        <div style={{ paddingTop: 16 }}>
          <Routes>
            <Route index element={<Navigate to={`/admin/${tabs[0].id}`} replace />} />
            <Route path="users" element={manageUsers.allowed ? <UsersTab /> : <NotAllowed what="the users" reason={manageUsers.reason} />} />
            <Route path="api-keys" element={<ApiKeysTab />} />
            <Route path="audit" element={readAudit.allowed ? <AuditTab /> : <NotAllowed what="the audit log" reason={readAudit.reason} />} />
            <Route path="*" element={<Navigate to="/admin" replace />} />
          </Routes>
        </div>
      </EuiPageTemplate.Section>
    </EuiPageTemplate>
  );
}
