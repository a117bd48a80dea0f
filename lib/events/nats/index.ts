export { createNatsBus, deadLetterStreamName, type NatsBusOptions } from './nats-bus';
