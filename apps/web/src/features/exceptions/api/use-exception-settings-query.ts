import { useQuery } from '@tanstack/react-query';
import { exceptionSettingsSchema, type ExceptionSettings } from '@execwatch/api';
import { apiRequest } from '../../../lib/http';
import { exceptionsKeys } from './keys';

/** `GET /api/exception_lists/_settings`. */
export function fetchExceptionSettings(signal?: AbortSignal): Promise<ExceptionSettings> {
  return apiRequest('/api/exception_lists/_settings', exceptionSettingsSchema, { signal });
}

/** Governance settings: whether an expiry is mandatory and the default expiry. */
export function useExceptionSettingsQuery() {
  return useQuery({ queryKey: exceptionsKeys.settings(), queryFn: ({ signal }) => fetchExceptionSettings(signal), staleTime: 60_000 });
}
