import { join } from 'node:path';
import { fromBinary } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema, type DescriptorProto, type FileDescriptorProto } from '@bufbuild/protobuf/wkt';
import { loadSync, type PackageDefinition } from '@grpc/proto-loader';
import { healthPackageDefinition } from '../health/add-health';

export const REFLECTION_V1 = 'grpc.reflection.v1.ServerReflection';
export const REFLECTION_V1ALPHA = 'grpc.reflection.v1alpha.ServerReflection';

const LOAD_OPTIONS = { keepCase: true, longs: String, defaults: false, oneofs: true } as const;

let v1: PackageDefinition | undefined;
let v1alpha: PackageDefinition | undefined;

/** The hand-written reflection protos (shipped next to the compiled files), loaded once. */
export function reflectionPackageDefinitions(): { v1: PackageDefinition; v1alpha: PackageDefinition } {
  v1 ??= loadSync(join(__dirname, 'reflection-v1.proto'), LOAD_OPTIONS);
  v1alpha ??= loadSync(join(__dirname, 'reflection-v1alpha.proto'), LOAD_OPTIONS);
  return { v1, v1alpha };
}

function collectTypes(scope: string, messages: DescriptorProto[], into: Set<string>): void {
  for (const m of messages) {
    const full = `${scope}.${m.name}`;
    into.add(full);
    for (const e of m.enumType) into.add(`${full}.${e.name}`);
    collectTypes(full, m.nestedType, into);
  }
}

/** Resolves a protobufjs relative type name the way protoc does: innermost scope first. */
function qualify(name: string, scope: string, known: Set<string>): string {
  if (name === '' || name.startsWith('.')) return name;
  for (let s = scope; ; s = s.slice(0, Math.max(0, s.lastIndexOf('.')))) {
    const candidate = s ? `${s}.${name}` : name;
    if (known.has(candidate)) return `.${candidate}`;
    if (!s) return name;
  }
}

function normalizeMessage(scope: string, m: DescriptorProto, known: Set<string>): void {
  const full = `${scope}.${m.name}`;
  for (const nested of m.nestedType) {
    if (!nested.options?.mapEntry) continue;
    // protobufjs names a map entry after its field ("Statuses"); protoc says "StatusesEntry".
    const field = m.field.find((f) => f.typeName === nested.name);
    if (!field) continue;
    const entry = `${field.name.replace(/(?:^|_)(\w)/g, (_, c: string) => c.toUpperCase())}Entry`;
    known.delete(`${full}.${nested.name}`);
    known.add(`${full}.${entry}`);
    nested.name = entry;
    field.typeName = entry;
  }
  for (const f of m.field) f.typeName = qualify(f.typeName, full, known);
  for (const nested of m.nestedType) normalizeMessage(full, nested, known);
}

/**
 * proto-loader's descriptors of a one-file proto, made what protoc would write: the canonical
 * file name, fully-qualified type names and protoc's map entry names (strict clients such as
 * buf curl reject anything else; this is the bug that makes @grpc/reflection unusable).
 */
function normalize(bytes: Uint8Array, name: string): FileDescriptorProto {
  const file = fromBinary(FileDescriptorProtoSchema, bytes);
  file.name = name;
  const known = new Set<string>();
  for (const e of file.enumType) known.add(`${file.package}.${e.name}`);
  collectTypes(file.package, file.messageType, known);
  for (const m of file.messageType) normalizeMessage(file.package, m, known);
  for (const s of file.service) {
    for (const method of s.method) {
      method.inputType = qualify(method.inputType, file.package, known);
      method.outputType = qualify(method.outputType, file.package, known);
    }
  }
  return file;
}

function onlyFile(definition: PackageDefinition, someType: string): Uint8Array {
  const type = definition[someType] as { fileDescriptorProtos?: Uint8Array[] } | undefined;
  const files = type?.fileDescriptorProtos ?? [];
  if (files.length !== 1) throw new Error(`expected one file descriptor for ${someType}, got ${files.length}`);
  return files[0];
}

/** Descriptors of the services every server of ours may carry: reflection and health. */
export function builtinFiles(): FileDescriptorProto[] {
  const { v1: r1, v1alpha: r1alpha } = reflectionPackageDefinitions();
  return [
    normalize(onlyFile(r1, 'grpc.reflection.v1.ServerReflectionRequest'), 'grpc/reflection/v1/reflection.proto'),
    normalize(onlyFile(r1alpha, 'grpc.reflection.v1alpha.ServerReflectionRequest'), 'grpc/reflection/v1alpha/reflection.proto'),
    normalize(onlyFile(healthPackageDefinition(), 'grpc.health.v1.HealthCheckRequest'), 'grpc/health/v1/health.proto'),
  ];
}
