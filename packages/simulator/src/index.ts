export { generateEvents, generateSession, DEFAULT_END, type GenerateOptions, type SessionOptions } from './generate';
export { Simulator, type SimulatorOptions } from './simulator';
export { toBulkBody, authorizationHeader, credentialsFromEnv, DEFAULT_INDEX, type Credentials } from './bulk';
export { startSimulator, postEvents, type StartSimulatorOptions, type BulkResult } from './post';
export { writeFixtureFile, type FixtureOptions, type FixtureInfo } from './fixture';
export type { SessionKind, BackgroundKind } from './sessions';
export type { Scenario } from './events';
