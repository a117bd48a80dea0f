import { status, type ServerDuplexStream } from '@grpc/grpc-js';
import type { DescriptorIndex } from './descriptor-index';

/** A ServerReflectionRequest as proto-loader decodes it (keepCase, oneofs). */
export interface ReflectionRequest {
  host?: string;
  message_request?: 'file_by_filename' | 'file_containing_symbol' | 'file_containing_extension' | 'all_extension_numbers_of_type' | 'list_services';
  file_by_filename?: string;
  file_containing_symbol?: string;
  file_containing_extension?: { containing_type?: string; extension_number?: number };
  all_extension_numbers_of_type?: string;
  list_services?: string;
}

export interface ReflectionResponse {
  valid_host: string;
  original_request: ReflectionRequest;
  file_descriptor_response?: { file_descriptor_proto: Uint8Array[] };
  all_extension_numbers_response?: { base_type_name: string; extension_number: number[] };
  list_services_response?: { service: Array<{ name: string }> };
  error_response?: { error_code: number; error_message: string };
}

type Answer = Omit<ReflectionResponse, 'valid_host' | 'original_request'>;

const files = (found: Uint8Array[] | undefined, what: string): Answer =>
  found
    ? { file_descriptor_response: { file_descriptor_proto: found } }
    : { error_response: { error_code: status.NOT_FOUND, error_message: `${what} not found` } };

/** Answers one reflection request from the index; services is what list_services returns. */
export function answer(request: ReflectionRequest, index: DescriptorIndex, services: readonly string[]): ReflectionResponse {
  const reply = (a: Answer): ReflectionResponse => ({ valid_host: request.host ?? '', original_request: request, ...a });
  switch (request.message_request) {
    case 'list_services':
      return reply({ list_services_response: { service: services.map((name) => ({ name })) } });
    case 'file_by_filename':
      return reply(files(index.fileByName(request.file_by_filename ?? ''), `file ${request.file_by_filename}`));
    case 'file_containing_symbol':
      return reply(files(index.fileContainingSymbol(request.file_containing_symbol ?? ''), `symbol ${request.file_containing_symbol}`));
    case 'file_containing_extension': {
      const { containing_type = '', extension_number = 0 } = request.file_containing_extension ?? {};
      return reply(files(index.fileContainingExtension(containing_type, extension_number), `extension ${extension_number} of ${containing_type}`));
    }
    case 'all_extension_numbers_of_type': {
      const type = request.all_extension_numbers_of_type ?? '';
      const numbers = index.extensionNumbersOf(type);
      return reply(
        numbers
          ? { all_extension_numbers_response: { base_type_name: type.replace(/^\./, ''), extension_number: numbers } }
          : { error_response: { error_code: status.NOT_FOUND, error_message: `type ${type} not found` } },
      );
    }
    default:
      return reply({ error_response: { error_code: status.INVALID_ARGUMENT, error_message: 'empty reflection request' } });
  }
}

/** The ServerReflectionInfo handler: one response per request, in order, on the same stream. */
export function serverReflectionInfo(index: DescriptorIndex, services: readonly string[]) {
  return (call: ServerDuplexStream<ReflectionRequest, ReflectionResponse>): void => {
    call.on('data', (request: ReflectionRequest) => call.write(answer(request, index, services)));
    call.on('end', () => call.end());
    call.on('error', () => undefined);
  };
}
