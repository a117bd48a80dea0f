export { KeyRing, parseMasterKeys, MASTER_KEYS_VAR, MIN_VERSION_VAR, MASTER_KEY_BYTES, type MasterKey } from './key-ring';
export { sealSecret, openSecret, rewrapSecret, needsRewrap, type SealedSecret, type SecretAad } from './envelope';
export { SecretCryptoError, type SecretErrorCode } from './errors';
