import { status } from '@grpc/grpc-js';

/** grpc_type as go-grpc-prometheus names it. */
export type GrpcType = 'unary' | 'client_stream' | 'server_stream' | 'bidi_stream';

export interface MethodLabels {
  grpc_type: GrpcType;
  grpc_service: string;
  grpc_method: string;
}

export interface MethodShape {
  path: string;
  requestStream: boolean;
  responseStream: boolean;
}

export const grpcTypeOf = (method: Omit<MethodShape, 'path'>): GrpcType =>
  method.requestStream ? (method.responseStream ? 'bidi_stream' : 'client_stream') : method.responseStream ? 'server_stream' : 'unary';

export function methodLabels(method: MethodShape): MethodLabels {
  const [, service = 'unknown', name = 'unknown'] = /^\/?([^/]*)\/([^/]*)$/.exec(method.path) ?? [];
  return { grpc_type: grpcTypeOf(method), grpc_service: service, grpc_method: name };
}

/** grpc_code values as Go's codes.Code.String() writes them (the go-grpc-prometheus label). */
const CODE_NAMES: Record<number, string> = {
  [status.OK]: 'OK',
  [status.CANCELLED]: 'Canceled',
  [status.UNKNOWN]: 'Unknown',
  [status.INVALID_ARGUMENT]: 'InvalidArgument',
  [status.DEADLINE_EXCEEDED]: 'DeadlineExceeded',
  [status.NOT_FOUND]: 'NotFound',
  [status.ALREADY_EXISTS]: 'AlreadyExists',
  [status.PERMISSION_DENIED]: 'PermissionDenied',
  [status.RESOURCE_EXHAUSTED]: 'ResourceExhausted',
  [status.FAILED_PRECONDITION]: 'FailedPrecondition',
  [status.ABORTED]: 'Aborted',
  [status.OUT_OF_RANGE]: 'OutOfRange',
  [status.UNIMPLEMENTED]: 'Unimplemented',
  [status.INTERNAL]: 'Internal',
  [status.UNAVAILABLE]: 'Unavailable',
  [status.DATA_LOSS]: 'DataLoss',
  [status.UNAUTHENTICATED]: 'Unauthenticated',
};

export function codeLabel(code: number): string {
  return CODE_NAMES[code] ?? `Code(${code})`;
}
