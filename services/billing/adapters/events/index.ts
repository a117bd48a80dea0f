export { decodeIdentityEvent, IDENTITY_EVENTS, startIdentityConsumer, type IdentityConsumerOptions } from './identity-consumer';
