export { compileExceptionMatcher, type ExceptionMatcher } from './matcher';
export { buildExceptionFilter, buildItemClauses, buildEntryClause, DEFAULT_EXCEPTION_CHUNK_SIZE, type QueryClause } from './es-filter';
export {
  parseExceptionsNdjson,
  exportExceptionsNdjson,
  importedListSchema,
  importedItemSchema,
  type ImportedList,
  type ImportedItem,
  type NdjsonLineError,
  type ParsedExceptionsNdjson,
} from './ndjson';
export { toKibanaEntries, fromKibanaEntries, caseVariants, MAX_CASE_VARIANTS } from './case-insensitive-export';
export { validateExceptionItem, ecsFieldType, type ExceptionValidation, type ValidationIssue, type ValidateOptions } from './validate';
export {
  knownAdminAccountTemplate,
  cicdPipelineTemplate,
  interactiveContainerTemplate,
  maintenanceWindowTemplate,
  TEMPLATE_FIELDS,
  type ExceptionTemplate,
  type ExceptionTemplateId,
} from './templates';
export { isExpired, type MatchableExceptionItem, type SkippedItem } from './item-input';
export { compileFieldReader, stringValues } from './field-values';
export {
  compileWildcard,
  checkWildcardPattern,
  hasWildcard,
  MAX_WILDCARD_PATTERN_LENGTH,
  MAX_WILDCARD_STARS,
  type WildcardMatcher,
  type WildcardStepMeter,
} from './wildcard';
export { ECS_FIELD_TYPES } from './ecs-field-types';
export { runExceptionsBench, benchEvents, benchItems, type ExceptionsBenchOptions } from './bench';
