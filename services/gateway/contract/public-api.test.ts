import { create, createFileRegistry, fromBinary, setExtension, toBinary } from '@bufbuild/protobuf';
import {
  FileDescriptorProtoSchema,
  FileDescriptorSetSchema,
  MethodDescriptorProtoSchema,
  MethodOptionsSchema,
  ServiceDescriptorProtoSchema,
  ServiceOptionsSchema,
  type MethodOptions,
  type ServiceDescriptorProto,
} from '@bufbuild/protobuf/wkt';
import { loadDescriptorSet } from '../../../lib/grpc/server';
import { outboundDeadline } from '../upstream/forward';
import { kebab } from './http-route';
import { loadPublicApi } from './public-api';

describe('gateway: the exposed API, derived from the descriptor set', () => {
  const api = loadPublicApi(loadDescriptorSet());
  const route = (path: string) => api.methods.find((m) => m.httpPath === path);

  it('routes every public method SpaceONE style, by package, to the right backend', () => {
    expect(route('/identity/service-account/create')).toMatchObject({ grpcPath: '/tally.identity.v1.ServiceAccountService/Create', backend: 'identity' });
    expect(route('/identity/service-account/update-secret-data')?.grpcPath).toBe('/tally.identity.v1.ServiceAccountService/UpdateSecretData');
    expect(route('/billing/cost/analyze')).toMatchObject({ grpcPath: '/tally.billing.v1.CostService/Analyze', backend: 'billing' });
    expect(route('/billing/data-source/sync')?.backend).toBe('billing');
    expect(route('/identity/project-group/list')?.backend).toBe('identity');
    expect(new Set(api.methods.map((m) => m.httpPath)).size).toBe(api.methods.length);
    expect(kebab('VerifyPlugin')).toBe('verify-plugin');
  });

  it('leaves out internal RPCs and the plugin protocol, in routes and in what reflection serves', () => {
    const paths = api.methods.map((m) => m.grpcPath);
    expect(paths).toContain('/tally.identity.v1.SecretService/Get');
    for (const hidden of ['/tally.identity.v1.SecretService/GetData', '/tally.identity.v1.SecretService/Rewrap', '/tally.identity.v1.AuthService/Verify']) {
      expect(paths).not.toContain(hidden);
    }
    expect(api.services.some((s) => !/^tally\.(identity|billing)\.v1\./.test(s))).toBe(false);
    const served = createFileRegistry(fromBinary(FileDescriptorSetSchema, api.reflectionSet));
    expect(served.getService('tally.identity.v1.SecretService')?.methods.map((m) => m.name).sort()).toEqual(['Get', 'List', 'Stat']);
    expect(served.getService('tally.identity.v1.AuthService')).toBeUndefined();
    expect(served.getService('tally.plugin.billing.v1.DataSourcePluginService')).toBeUndefined();
    // The messages stay: a public message may use them.
    expect(served.getMessage('tally.identity.v1.Principal')).toBeDefined();
  });

  it('reads internal from the contract: a service marked internal, with one method marked public again', () => {
    const real = fromBinary(FileDescriptorSetSchema, loadDescriptorSet());
    const registry = createFileRegistry(real);
    const option = <T extends object>(options: T, name: string, value: number): T => {
      setExtension(options as never, registry.getExtension(name) as never, value as never);
      return options;
    };
    const INTERNAL = 2;
    const PUBLIC = 1;
    const rpc = (name: string, options?: MethodOptions) => create(MethodDescriptorProtoSchema, { name, inputType: '.tally.core.v1.Probe', outputType: '.tally.core.v1.Probe', options });
    const probeFile = (dependency: string[], service: ServiceDescriptorProto) =>
      create(FileDescriptorProtoSchema, { name: 'tally/identity/v1/probe.proto', package: 'tally.identity.v1', syntax: 'proto3', dependency, service: [service] });
    const message = create(FileDescriptorProtoSchema, { name: 'tally/core/v1/probe_message.proto', package: 'tally.core.v1', syntax: 'proto3', messageType: [{ name: 'Probe' }] });
    const probe = probeFile(
      ['tally/core/v1/options.proto', 'tally/core/v1/probe_message.proto'],
      create(ServiceDescriptorProtoSchema, {
        name: 'ProbeService',
        options: option(create(ServiceOptionsSchema), 'tally.core.v1.service_exposure', INTERNAL),
        method: [rpc('Hidden'), rpc('Shown', option(create(MethodOptionsSchema), 'tally.core.v1.exposure', PUBLIC))],
      }),
    );
    const base = real.file.filter((f) => ['google/protobuf/descriptor.proto', 'tally/core/v1/options.proto'].includes(f.name));
    const set = create(FileDescriptorSetSchema, { file: [...base, message, probe] });
    expect(loadPublicApi(toBinary(FileDescriptorSetSchema, set)).methods.map((m) => m.grpcPath)).toEqual(['/tally.identity.v1.ProbeService/Shown']);
    // Without the options file nothing can be told apart: refused, not served as all public.
    const bare = probeFile(['tally/core/v1/probe_message.proto'], create(ServiceDescriptorProtoSchema, { name: 'ProbeService', method: [rpc('Hidden')] }));
    expect(() => loadPublicApi(toBinary(FileDescriptorSetSchema, create(FileDescriptorSetSchema, { file: [message, bare] })))).toThrow(/lacks tally\/core\/v1\/options\.proto/);
  });

  it('gives every outbound call a deadline: the client\'s, capped, or the default', () => {
    const now = 1_000_000;
    expect(outboundDeadline(undefined, 10_000, 60_000, now)).toBe(now + 10_000);
    expect(outboundDeadline(Infinity, 10_000, 60_000, now)).toBe(now + 10_000);
    expect(outboundDeadline(now + 2_000, 10_000, 60_000, now)).toBe(now + 2_000);
    expect(outboundDeadline(now + 3_600_000, 10_000, 60_000, now)).toBe(now + 60_000);
  });
});
