import type { Store } from '../store/ports';

/** The parts of the store that access control uses. */
export type AuthStore = Pick<Store, 'users' | 'audit' | 'settings'>;
