import { EuiButtonEmpty, EuiHeader, EuiHeaderLink, EuiHeaderLinks, EuiHeaderSection, EuiHeaderSectionItem, EuiText } from '@elastic/eui';
import { useLocation, useNavigate } from 'react-router-dom';
import { useMe } from '../features/auth/components/abilities-context';
import { useLogoutMutation } from '../features/auth/api/use-logout-mutation';
import { TimeZoneMenu } from '../features/preferences/components/time-zone-menu';
import { InboxButton } from '../features/team/components/inbox-button';

/** Top bar: product name, navigation, who is logged in. */
export function AppHeader() {
  const me = useMe();
  const navigate = useNavigate();
  const location = useLocation();
  const logout = useLogoutMutation();
  return (
    <EuiHeader position="static" theme="dark">
      <EuiHeaderSection>
        <EuiHeaderSectionItem>
          <EuiHeaderLink iconType="securityApp" onClick={() => navigate('/alerts')} aria-label="Execwatch home" style={{ fontWeight: 700, color: 'white' }}>
            Execwatch
          </EuiHeaderLink>
        </EuiHeaderSectionItem>
        <EuiHeaderSectionItem>
          <EuiHeaderLinks aria-label="Main navigation">
            <EuiHeaderLink isActive={location.pathname.startsWith('/alerts')} onClick={() => navigate('/alerts')} data-test-subj="nav-alerts">
              Alerts
            </EuiHeaderLink>
            <EuiHeaderLink isActive={location.pathname.startsWith('/rules')} onClick={() => navigate('/rules')} data-test-subj="nav-rules">
              Rules
            </EuiHeaderLink>
            <EuiHeaderLink isActive={location.pathname.startsWith('/exceptions')} onClick={() => navigate('/exceptions')} data-test-subj="nav-exceptions">
              Exceptions
            </EuiHeaderLink>
            {me.abilities['users:manage'] || me.abilities['audit:read'] ? (
              <EuiHeaderLink isActive={location.pathname.startsWith('/admin')} onClick={() => navigate('/admin')} data-test-subj="nav-admin">
                Admin
              </EuiHeaderLink>
            ) : (
              <EuiHeaderLink isActive={location.pathname.startsWith('/admin')} onClick={() => navigate('/admin/api-keys')} data-test-subj="nav-api-keys">
                API keys
              </EuiHeaderLink>
            )}
          </EuiHeaderLinks>
        </EuiHeaderSectionItem>
      </EuiHeaderSection>
      <EuiHeaderSection side="right">
        <EuiHeaderSectionItem><InboxButton /></EuiHeaderSectionItem>
        <EuiHeaderSectionItem><TimeZoneMenu /></EuiHeaderSectionItem>
        <EuiHeaderSectionItem>
          <EuiText size="s" color="ghost" data-test-subj="current-user">
            {me.user.full_name ?? me.user.username} ({me.user.roles.join(', ')})
          </EuiText>
        </EuiHeaderSectionItem>
        <EuiHeaderSectionItem>
          <EuiButtonEmpty color="text" size="s" onClick={() => logout.mutate()} data-test-subj="logout" style={{ color: 'white' }}>
            Log out
          </EuiButtonEmpty>
        </EuiHeaderSectionItem>
      </EuiHeaderSection>
    </EuiHeader>
  );
}
