import { join } from 'node:path';
import {
  makeClientConstructor,
  status as grpcStatus,
  type ServiceDefinition,
  type Server,
  type ServiceClientConstructor,
  type ServerUnaryCall,
  type ServerWritableStream,
  type UntypedServiceImplementation,
  type sendUnaryData,
} from '@grpc/grpc-js';
import { loadSync, type PackageDefinition } from '@grpc/proto-loader';
import type { HealthService, WireStatus } from './health-service';

/** The hand-written grpc.health.v1 proto; it must be shipped next to the compiled file. */
export const HEALTH_PROTO_PATH = join(__dirname, 'health.proto');
export const HEALTH_SERVICE_NAME = 'grpc.health.v1.Health';

let loaded: PackageDefinition | undefined;

/** The health proto loaded by proto-loader (keepCase, enums as strings), loaded once. */
export function healthPackageDefinition(): PackageDefinition {
  loaded ??= loadSync(HEALTH_PROTO_PATH, { keepCase: true, enums: String, defaults: true });
  return loaded;
}

/** The client constructor of grpc.health.v1.Health, for probes and tests. */
export function healthClientConstructor(): ServiceClientConstructor {
  return makeClientConstructor(healthServiceDefinition(), 'Health');
}

function healthServiceDefinition(): ServiceDefinition {
  return healthPackageDefinition()[HEALTH_SERVICE_NAME] as ServiceDefinition;
}

interface CheckRequest {
  service: string;
}

function implementation(health: HealthService): UntypedServiceImplementation {
  return {
    Check(call: ServerUnaryCall<CheckRequest, unknown>, callback: sendUnaryData<unknown>) {
      const status = health.getStatus(call.request.service);
      if (status === undefined) {
        callback({ code: grpcStatus.NOT_FOUND, details: `unknown service "${call.request.service}"` });
        return;
      }
      callback(null, { status });
    },
    List(_call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) {
      const statuses = Object.fromEntries(Object.entries(health.list()).map(([name, status]) => [name, { status }]));
      callback(null, { statuses });
    },
    Watch(call: ServerWritableStream<CheckRequest, unknown>) {
      const unsubscribe = health.watch(
        call.request.service,
        (status: WireStatus) => call.write({ status }),
        () => call.end(),
      );
      call.on('cancelled', unsubscribe);
      call.on('close', unsubscribe);
    },
  };
}

/** Registers grpc.health.v1.Health (Check, List, Watch) on the server, answering from health. */
export function addHealth(server: Server, health: HealthService): void {
  server.addService(healthServiceDefinition(), implementation(health));
}
