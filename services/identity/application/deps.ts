import type { KeyRing } from '../../../lib/crypto';
import type { Store } from '../../../lib/store/port';

/** What identity's use cases need from the outside world. */
export interface IdentityDeps {
  store: Store;
  keyRing: KeyRing;
  /** Wakes the outbox relay after a commit that wrote events. */
  notifyOutbox: () => void;
  /** The operator's root key (SYSTEM). */
  rootKey: string;
  /** Signs and verifies the internal tokens of services and the gateway. */
  internalSecret: string;
  now: () => Date;
}
