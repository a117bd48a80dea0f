import { createFileRegistry, fromBinary, toBinary, type DescMessage, type Registry } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { EXPOSED_PACKAGES, internalIn, type Backend } from './exposure';
import { httpRoute } from './http-route';

/** One RPC the gateway exposes, with everything both transports need to route it. */
export interface PublicMethod {
  /** e.g. tally.identity.v1.ServiceAccountService */
  service: string;
  /** e.g. Create */
  name: string;
  /** The gRPC path, `/tally.identity.v1.ServiceAccountService/Create`. */
  grpcPath: string;
  /** The HTTP/JSON route, `/identity/service-account/create`. */
  httpPath: string;
  backend: Backend;
  input: DescMessage;
  output: DescMessage;
}

export interface PublicApi {
  methods: PublicMethod[];
  /** Full names of the exposed services. */
  services: string[];
  /** For JSON of google.protobuf.Any and friends. */
  registry: Registry;
  /** The descriptor set without the internal services and methods: what reflection serves. */
  reflectionSet: Uint8Array;
}

/**
 * Derives the exposed API from the contract's descriptor set: every unary method of every
 * service of the public packages that is not internal. Nothing here is written per method.
 */
export function loadPublicApi(descriptorSet: Uint8Array): PublicApi {
  const set = fromBinary(FileDescriptorSetSchema, descriptorSet);
  const registry = createFileRegistry(set);
  const isInternal = internalIn(registry);
  const methods: PublicMethod[] = [];
  for (const file of registry.files) {
    const exposed = EXPOSED_PACKAGES[file.proto.package];
    if (!exposed) continue;
    for (const service of file.services) {
      for (const method of service.methods) {
        if (method.methodKind !== 'unary' || isInternal(method)) continue;
        methods.push({
          service: service.typeName,
          name: method.name,
          grpcPath: `/${service.typeName}/${method.name}`,
          httpPath: httpRoute(exposed.area, service.name, method.name),
          backend: exposed.backend,
          input: method.input,
          output: method.output,
        });
      }
    }
  }
  const services = [...new Set(methods.map((m) => m.service))];
  // Reflection must not describe what is not served: drop hidden services and methods.
  for (const file of set.file) {
    file.service = file.service.filter((s) => services.includes(`${file.package}.${s.name}`));
    for (const s of file.service) s.method = s.method.filter((m) => methods.some((x) => x.grpcPath === `/${file.package}.${s.name}/${m.name}`));
  }
  return { methods, services, registry, reflectionSet: toBinary(FileDescriptorSetSchema, set) };
}
