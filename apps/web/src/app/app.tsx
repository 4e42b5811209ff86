import { lazy, Suspense } from 'react';
import { Navigate, Route, Routes } from 'react-router-dom';
import { EuiEmptyPrompt, EuiLoadingSpinner, EuiPageTemplate } from '@elastic/eui';
import { AuthGate } from '../features/auth/components/auth-gate';
import { AppHeader } from './app-header';
import { useDisplayTimeZone } from '../features/preferences/time-zone';
import { AlertsPage } from '../features/alerts/components/alerts-page';

const RulesPage = lazy(() => import('../features/rules/components/rules-page'));
const RulePage = lazy(() => import('../features/rules/components/rule-page'));
const ExceptionsPage = lazy(() => import('../features/exceptions/components/exceptions-page'));
const AdminPage = lazy(() => import('../features/admin/components/admin-page'));

function PageLoading() {
  return (
    <EuiPageTemplate.Section alignment="center">
      <EuiLoadingSpinner size="xl" />
    </EuiPageTemplate.Section>
  );
}

/** Routes of the app, behind the login. */
export function App() {
  useDisplayTimeZone(); // a new time zone re-renders every page, so every time on screen follows it
  return (
    <AuthGate>
      <AppHeader />
      <Suspense fallback={<PageLoading />}>
        <Routes>
          <Route path="/" element={<Navigate to="/alerts" replace />} />
          <Route path="/alerts" element={<AlertsPage />} />
          <Route path="/rules" element={<RulesPage />} />
          <Route path="/rules/:ruleId" element={<RulePage />} />
          <Route path="/exceptions" element={<ExceptionsPage />} />
          <Route path="/admin/*" element={<AdminPage />} />
          <Route
            path="*"
            element={<EuiEmptyPrompt iconType="search" title={<h2>Page not found</h2>} body={<p>There is nothing at this address.</p>} />}
          />
        </Routes>
      </Suspense>
    </AuthGate>
  );
}
