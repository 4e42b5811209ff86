export {
  generateEvents, generateSession, generateAuditedSession, generateSessionAudit, DEFAULT_END,
  type GenerateOptions, type SessionOptions, type AuditedSessionOptions, type AuditedSession, type SimulatedSession,
} from './generate';
export { Simulator, type SimulatorOptions } from './simulator';
export { toBulkBody, authorizationHeader, credentialsFromEnv, DEFAULT_INDEX, type Credentials } from './bulk';
export { startSimulator, postEvents, postAudit, type StartSimulatorOptions, type BulkResult, type AuditPostResult } from './post';
export { writeFixtureFile, type FixtureOptions, type FixtureInfo } from './fixture';
export { toEventList, type AuditEvent, type AuditEventList, type AuditStage } from './audit';
export { AUDIT_OUTCOME_SHARES, type AuditOutcome } from './scene';
export type { AuditUserInfo, Requester } from './identities';
export { ATTACKER_VARIANTS } from './scripts';
export { CLUSTER_NAME } from './world';
export type { SessionKind, BackgroundKind } from './sessions';
export type { Scenario } from './events';
