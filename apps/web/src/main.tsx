import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router-dom';
import { QueryClientProvider } from '@tanstack/react-query';
import { EuiProvider } from '@elastic/eui';
import { EuiThemeBorealis } from '@elastic/eui-theme-borealis';
import { applyNonceToEmotionCss, createEuiCaches, readCspNonce, stampNonceOnStyleElements } from './app/emotion-cache';
import { createQueryClient } from './app/query-client';
import { App } from './app/app';
import { ToastProvider } from './app/toasts';
import { prefetchAlertsForLocation } from './features/alerts/api/prefetch-alerts';
import { registerFirstPaintIcons } from './app/first-paint-icons';

registerFirstPaintIcons();
const nonce = readCspNonce();
applyNonceToEmotionCss(nonce);
stampNonceOnStyleElements(nonce);
const caches = createEuiCaches(nonce);
const queryClient = createQueryClient();
prefetchAlertsForLocation(queryClient, window.location);
const container = document.getElementById('root');
if (!container) throw new Error('#root is missing from index.html');

createRoot(container).render(
  <StrictMode>
    <EuiProvider theme={EuiThemeBorealis} colorMode="light" cache={caches}>
      <QueryClientProvider client={queryClient}>
        <BrowserRouter>
          <ToastProvider>
          <App />
          </ToastProvider>
        </BrowserRouter>
      </QueryClientProvider>
    </EuiProvider>
  </StrictMode>,
);
