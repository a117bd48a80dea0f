import { grpcTransport } from './transports';
import { describeUserFlow } from './user-flow';

describeUserFlow('e2e over gRPC: the user flow through the gateway', grpcTransport);
