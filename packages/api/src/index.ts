export * from './errors';
export * from './common';
export * from './alerts';
export * from './checklist';
export * from './rules';
export * from './auth';
export * from './exceptions';
