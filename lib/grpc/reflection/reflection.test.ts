import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fromBinary } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema, FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import {
  credentials,
  makeClientConstructor,
  Server,
  ServerCredentials,
  status,
  type ClientDuplexStream,
  type ServiceDefinition,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { AuthServiceService } from '../../../gen/tally/identity/v1/auth';
import { ProjectServiceService } from '../../../gen/tally/identity/v1/project';
import { Role } from '../../../gen/tally/identity/v1/role';
import { addHealth, HealthService } from '../health';
import { addReflection } from './index';
import type { ReflectionRequest, ReflectionResponse } from './reflection-service';

const ROOT = join(__dirname, '..', '..', '..');
const BUF = join(ROOT, 'node_modules', '.bin', 'buf');
const DESCRIPTOR_SET = readFileSync(join(ROOT, 'gen', 'descriptor.binpb'));
const SERVICES = ['tally.identity.v1.AuthService', 'tally.identity.v1.ProjectService'];

let server: Server;
let url: string;
let address: string;

beforeAll(async () => {
  server = new Server();
  server.addService(AuthServiceService, {
    verify: (call: { request: { credential: string } }, cb: (e: null, r: object) => void) =>
      cb(null, { principal: { subject: `key-for-${call.request.credential}`, domainId: 'domain-1', role: Role.ROLE_DOMAIN_ADMIN, projectIds: ['project-a'] } }),
  });
  server.addService(ProjectServiceService, {
    get: (call: { request: { projectId: string } }, cb: (e: null, r: object) => void) =>
      cb(null, {
        project: {
          projectId: call.request.projectId,
          name: 'Web',
          projectGroupId: '',
          domainId: 'domain-1',
          tags: { team: 'web', cost_center: 42 },
          createdAt: new Date('2024-05-01T12:30:00Z'),
        },
      }),
  });
  addHealth(server, new HealthService());
  addReflection(server, { descriptorSet: DESCRIPTOR_SET, services: SERVICES });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  address = `127.0.0.1:${port}`;
  url = `http://${address}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
});

async function bufCurl(...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(BUF, ['curl', '--protocol', 'grpc', '--http2-prior-knowledge', ...args], {
    timeout: 20_000,
  });
  return stdout;
}

describe('the descriptor set built by `buf build -o gen/descriptor.binpb`', () => {
  it('holds the well-known imports that reflection must serve', () => {
    const names = fromBinary(FileDescriptorSetSchema, DESCRIPTOR_SET).file.map((f) => f.name);
    expect(names).toEqual(expect.arrayContaining(['google/protobuf/struct.proto', 'google/protobuf/timestamp.proto']));
  });
});

describe('reflection through buf curl', () => {
  it('lists only the registered services, reflection and health', async () => {
    const out = await bufCurl('--list-services', url);
    expect(out.trim().split('\n')).toEqual([
      'grpc.health.v1.Health',
      'grpc.reflection.v1.ServerReflection',
      'grpc.reflection.v1alpha.ServerReflection',
      'tally.identity.v1.AuthService',
      'tally.identity.v1.ProjectService',
    ]);
  });

  it('lists the methods of every service, which needs every descriptor to link', async () => {
    const out = (await bufCurl('--list-methods', url)).trim().split('\n');
    expect(out).toEqual(
      expect.arrayContaining([
        'tally.identity.v1.AuthService/Verify',
        'tally.identity.v1.ProjectService/Get',
        'tally.identity.v1.ProjectService/Stat',
        'grpc.health.v1.Health/Check',
        'grpc.health.v1.Health/Watch',
        'grpc.reflection.v1.ServerReflection/ServerReflectionInfo',
      ]),
    );
    expect(out.filter((m) => m.startsWith('tally.identity.v1.DomainService'))).toEqual([]);
  });

  it('makes a real call with the schema it learned by reflection', async () => {
    const out = await bufCurl('--reflect', '-d', '{"credential":"x"}', `${url}/tally.identity.v1.AuthService/Verify`);
    expect(JSON.parse(out)).toEqual({
      principal: { subject: 'key-for-x', domainId: 'domain-1', role: 'ROLE_DOMAIN_ADMIN', projectIds: ['project-a'] },
    });
  });

  it('resolves google.protobuf imports (Timestamp, Struct) in responses', async () => {
    const out = await bufCurl('-d', '{"project_id":"project-1"}', `${url}/tally.identity.v1.ProjectService/Get`);
    expect(JSON.parse(out).project).toEqual({
      projectId: 'project-1',
      name: 'Web',
      domainId: 'domain-1',
      tags: { team: 'web', cost_center: 42 },
      createdAt: '2024-05-01T12:30:00Z',
    });
  });

  it.each(['grpc-v1', 'grpc-v1alpha'])('serves valid health descriptors over %s', async (protocol) => {
    const out = await bufCurl('--reflect-protocol', protocol, '-d', '{"service":""}', `${url}/grpc.health.v1.Health/Check`);
    expect(JSON.parse(out)).toEqual({ status: 'SERVING' });
  });
});

describe('reflection requests on one stream', () => {
  const definition = loadSync(join(__dirname, 'reflection-v1alpha.proto'), { keepCase: true, oneofs: true, defaults: false });
  const Reflection = makeClientConstructor(definition['grpc.reflection.v1alpha.ServerReflection'] as ServiceDefinition, 'ServerReflection');

  /** Sends the requests one after another on a single stream and returns the responses. */
  async function ask(...requests: ReflectionRequest[]): Promise<ReflectionResponse[]> {
    const client = new Reflection(address, credentials.createInsecure()) as unknown as {
      ServerReflectionInfo(): ClientDuplexStream<ReflectionRequest, ReflectionResponse>;
      close(): void;
    };
    try {
      const call = client.ServerReflectionInfo();
      const responses: ReflectionResponse[] = [];
      const done = new Promise<void>((resolve, reject) => {
        call.on('data', (r: ReflectionResponse) => responses.push(r));
        call.on('end', resolve);
        call.on('error', reject);
      });
      for (const r of requests) call.write(r);
      call.end();
      await done;
      return responses;
    } finally {
      client.close();
    }
  }

  const fileNames = (r: ReflectionResponse) =>
    r.file_descriptor_response!.file_descriptor_proto.map((b) => fromBinary(FileDescriptorProtoSchema, b).name);

  it('returns the requested file first, then all its transitive dependencies', async () => {
    const [byName] = await ask({ file_by_filename: 'tally/identity/v1/domain.proto' });
    const names = fileNames(byName);
    expect(names[0]).toBe('tally/identity/v1/domain.proto');
    expect([...names].sort()).toEqual([
      'google/protobuf/struct.proto',
      'google/protobuf/timestamp.proto',
      'tally/core/v1/query.proto',
      'tally/identity/v1/api_key.proto',
      'tally/identity/v1/domain.proto',
      'tally/identity/v1/role.proto',
    ]);
  });

  it.each([
    ['a service', 'tally.identity.v1.AuthService', 'tally/identity/v1/auth.proto'],
    ['a method', 'tally.identity.v1.ProjectService.Get', 'tally/identity/v1/project.proto'],
    ['a message', 'tally.identity.v1.Principal', 'tally/identity/v1/auth.proto'],
    ['an enum', 'tally.identity.v1.Role', 'tally/identity/v1/role.proto'],
    ['a well-known type', 'google.protobuf.Timestamp', 'google/protobuf/timestamp.proto'],
    ['a nested message', 'google.protobuf.Struct.FieldsEntry', 'google/protobuf/struct.proto'],
    ['a built-in service', 'grpc.health.v1.Health', 'grpc/health/v1/health.proto'],
    ['a built-in nested enum', 'grpc.health.v1.HealthCheckResponse.ServingStatus', 'grpc/health/v1/health.proto'],
  ])('finds the file containing %s', async (_what, symbol, file) => {
    const [r] = await ask({ file_containing_symbol: symbol });
    expect(fileNames(r)[0]).toBe(file);
  });

  it('answers NOT_FOUND for unknown names and extensions, and no extension numbers, without ending the stream', async () => {
    const [symbol, file, extension, numbers, list] = await ask(
      { file_containing_symbol: 'tally.identity.v1.Nope' },
      { file_by_filename: 'nope.proto' },
      { file_containing_extension: { containing_type: 'tally.identity.v1.Principal', extension_number: 100 } },
      { all_extension_numbers_of_type: 'tally.identity.v1.Principal' },
      { list_services: '*', host: 'localhost' },
    );
    expect(symbol.error_response).toMatchObject({ error_code: status.NOT_FOUND });
    expect(file.error_response).toMatchObject({ error_code: status.NOT_FOUND });
    expect(extension.error_response).toMatchObject({ error_code: status.NOT_FOUND });
    expect(numbers.all_extension_numbers_response?.base_type_name).toBe('tally.identity.v1.Principal');
    expect(numbers.all_extension_numbers_response?.extension_number ?? []).toEqual([]);
    expect(list.valid_host).toBe('localhost');
    expect(list.original_request).toMatchObject({ list_services: '*' });
    expect(list.list_services_response!.service.map((s) => s.name)).toContain('tally.identity.v1.AuthService');
  });
});

describe('addReflection', () => {
  it('refuses a service the descriptor set does not describe', () => {
    expect(() => addReflection(new Server(), { descriptorSet: DESCRIPTOR_SET, services: ['tally.nope.v1.NopeService'] })).toThrow(
      /tally.nope.v1.NopeService is not in the descriptor set/,
    );
  });

  it('refuses a descriptor set built with --exclude-imports', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tally-reflection-'));
    try {
      const out = join(dir, 'no-imports.binpb');
      await promisify(execFile)(BUF, ['build', '--exclude-imports', '-o', out], { cwd: ROOT, timeout: 20_000 });
      expect(() => addReflection(new Server(), { descriptorSet: readFileSync(out), services: SERVICES })).toThrow(
        /lacks google\/protobuf\/\w+\.proto/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
