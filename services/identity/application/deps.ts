import type { InternalTokenVerifier } from '../../../lib/auth/internal-token';
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
  /** Verifies the internal tokens of services and the gateway (signed with the shared secret). */
  verifyInternalToken: InternalTokenVerifier;
  now: () => Date;
}
