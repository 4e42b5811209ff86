import { useMutation, useQueryClient } from '@tanstack/react-query';
import { exceptionSettingsSchema, type ExceptionSettings } from '@execwatch/api';
import { apiRequest } from '../../../lib/http';
import { exceptionsKeys } from './keys';

/** `PUT /api/exception_lists/_settings` (admins). */
export function updateExceptionSettings(patch: Partial<ExceptionSettings>): Promise<ExceptionSettings> {
  return apiRequest('/api/exception_lists/_settings', exceptionSettingsSchema, { method: 'PUT', body: patch });
}

/** Changes the governance settings and refreshes them. */
export function useUpdateExceptionSettingsMutation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: updateExceptionSettings,
    onSuccess: (settings) => queryClient.setQueryData(exceptionsKeys.settings(), settings),
  });
}
