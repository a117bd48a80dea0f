import { httpTransport } from './transports';
import { describeUserFlow } from './user-flow';

describeUserFlow('e2e over HTTP/JSON: the user flow through the gateway', httpTransport);
