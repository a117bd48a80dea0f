import { createFileRegistry, fromBinary } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
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

  it('gives every outbound call a deadline: the client\'s, capped, or the default', () => {
    const now = 1_000_000;
    expect(outboundDeadline(undefined, 10_000, 60_000, now)).toBe(now + 10_000);
    expect(outboundDeadline(Infinity, 10_000, 60_000, now)).toBe(now + 10_000);
    expect(outboundDeadline(now + 2_000, 10_000, 60_000, now)).toBe(now + 2_000);
    expect(outboundDeadline(now + 3_600_000, 10_000, 60_000, now)).toBe(now + 60_000);
  });
});
