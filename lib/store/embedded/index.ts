export { createEmbeddedStore, type EmbeddedStoreOptions } from './embedded-store';
