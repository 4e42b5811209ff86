import { useQuery } from '@tanstack/react-query';
import { storeStatsSchema, type StoreStats } from '@execwatch/api';
import { apiRequest } from '../../../lib/http';
import { storageKeys } from './keys';

/** `GET /api/store/_stats`. */
export function fetchStoreStats(signal?: AbortSignal): Promise<StoreStats> {
  return apiRequest('/api/store/_stats', storeStatsSchema, { signal });
}

/** The store's size, growth and retention; read again every 30 s (it changes slowly). */
export function useStoreStatsQuery() {
  return useQuery({ queryKey: storageKeys.stats(), queryFn: ({ signal }) => fetchStoreStats(signal), staleTime: 30_000, refetchInterval: 30_000 });
}
