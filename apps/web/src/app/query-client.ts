import { QueryClient } from '@tanstack/react-query';
import { ApiError } from '../lib/http';

/** One client for the app: failed queries retry once unless the server said no on purpose. */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 10_000,
        refetchOnWindowFocus: false,
        retry: (failureCount, error) => !(error instanceof ApiError && error.status < 500) && failureCount < 1,
      },
    },
  });
}
