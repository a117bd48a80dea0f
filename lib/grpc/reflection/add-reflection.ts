import type { Server, ServiceDefinition } from '@grpc/grpc-js';
import { HEALTH_SERVICE_NAME } from '../health/add-health';
import { builtinFiles, reflectionPackageDefinitions, REFLECTION_V1, REFLECTION_V1ALPHA } from './builtin-files';
import { DescriptorIndex } from './descriptor-index';
import { serverReflectionInfo } from './reflection-service';

export interface ReflectionOptions {
  /** A FileDescriptorSet (or buf image) of the contract, with its imports: `buf build -o`. */
  descriptorSet: Uint8Array;
  /** Full names of the services the server registered, e.g. tally.identity.v1.AuthService. */
  services: string[];
  /** List grpc.health.v1.Health too (the server carries addHealth); default true. */
  health?: boolean;
}

/**
 * Registers gRPC server reflection (grpc.reflection.v1 and v1alpha) answering from the descriptor
 * set. list_services names only the given services, reflection itself and (by default) health.
 * Throws when a service is missing from the set or the set lacks an imported file.
 */
export function addReflection(server: Server, options: ReflectionOptions): void {
  const index = DescriptorIndex.fromBinary(options.descriptorSet);
  for (const file of builtinFiles()) index.add(file);
  index.assertComplete();
  for (const name of options.services) {
    if (!index.hasService(name)) throw new Error(`reflection: service ${name} is not in the descriptor set`);
  }
  const listed = [...options.services, REFLECTION_V1, REFLECTION_V1ALPHA];
  if (options.health ?? true) listed.push(HEALTH_SERVICE_NAME);
  const services = [...new Set(listed)].sort();
  const handler = serverReflectionInfo(index, services);
  const { v1, v1alpha } = reflectionPackageDefinitions();
  server.addService(v1[REFLECTION_V1] as ServiceDefinition, { ServerReflectionInfo: handler });
  server.addService(v1alpha[REFLECTION_V1ALPHA] as ServiceDefinition, { ServerReflectionInfo: handler });
}
