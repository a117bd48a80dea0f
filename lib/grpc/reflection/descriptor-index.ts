import { fromBinary, toBinary } from '@bufbuild/protobuf';
import {
  FileDescriptorProtoSchema,
  FileDescriptorSetSchema,
  type DescriptorProto,
  type EnumDescriptorProto,
  type FieldDescriptorProto,
  type FileDescriptorProto,
} from '@bufbuild/protobuf/wkt';

const dotted = (scope: string, name: string) => (scope ? `${scope}.${name}` : name);
const typeName = (name: string) => name.replace(/^\./, '');

/**
 * The files of a FileDescriptorSet (or a buf image, which has the same wire shape), indexed by
 * file name, by every symbol they declare and by the extensions they define. Files are served
 * as the requested file first, then its transitive dependencies, each once: grpcurl takes the
 * first file of a response as the answer, and every client needs the dependencies to link it.
 */
export class DescriptorIndex {
  private readonly files = new Map<string, FileDescriptorProto>();
  private readonly encoded = new Map<string, Uint8Array>();
  private readonly symbols = new Map<string, string>();
  private readonly serviceNames = new Set<string>();
  private readonly messageNames = new Set<string>();
  /** extendee full name -> extension number -> file name */
  private readonly extensions = new Map<string, Map<number, string>>();

  static fromBinary(bytes: Uint8Array): DescriptorIndex {
    const index = new DescriptorIndex();
    for (const file of fromBinary(FileDescriptorSetSchema, bytes).file) index.add(file);
    return index;
  }

  /** Adds a file unless one of the same name is already there. */
  add(file: FileDescriptorProto): void {
    if (this.files.has(file.name)) return;
    this.files.set(file.name, file);
    // Unknown fields (such as buf's image extension) are not part of the descriptor.
    this.encoded.set(file.name, toBinary(FileDescriptorProtoSchema, file, { writeUnknownFields: false }));
    const pkg = file.package;
    for (const service of file.service) {
      const full = dotted(pkg, service.name);
      this.serviceNames.add(full);
      this.symbols.set(full, file.name);
      for (const method of service.method) this.symbols.set(dotted(full, method.name), file.name);
    }
    for (const message of file.messageType) this.addMessage(file.name, pkg, message);
    for (const e of file.enumType) this.addEnum(file.name, pkg, e);
    for (const ext of file.extension) this.addExtension(file.name, pkg, ext);
  }

  /** Throws when a file imports one the set does not hold (a set built with --exclude-imports). */
  assertComplete(): void {
    for (const file of this.files.values()) {
      for (const dep of file.dependency) {
        if (!this.files.has(dep)) {
          throw new Error(`descriptor set lacks ${dep}, imported by ${file.name}: build it without --exclude-imports`);
        }
      }
    }
  }

  hasService(name: string): boolean {
    return this.serviceNames.has(name);
  }

  hasMessage(name: string): boolean {
    return this.messageNames.has(name);
  }

  /** The file and its transitive dependencies, serialized; undefined when unknown. */
  fileByName(name: string): Uint8Array[] | undefined {
    if (!this.files.has(name)) return undefined;
    const order: string[] = [name];
    const seen = new Set(order);
    for (let i = 0; i < order.length; i++) {
      for (const dep of this.files.get(order[i])?.dependency ?? []) {
        if (!seen.has(dep) && this.files.has(dep)) {
          seen.add(dep);
          order.push(dep);
        }
      }
    }
    return order.map((n) => this.encoded.get(n)!);
  }

  /** The file declaring a fully-qualified symbol (service, method, message, field, enum, value, extension). */
  fileContainingSymbol(symbol: string): Uint8Array[] | undefined {
    const file = this.symbols.get(typeName(symbol));
    return file === undefined ? undefined : this.fileByName(file);
  }

  fileContainingExtension(extendee: string, number: number): Uint8Array[] | undefined {
    const file = this.extensions.get(typeName(extendee))?.get(number);
    return file === undefined ? undefined : this.fileByName(file);
  }

  /** Extension numbers known for a message type, or undefined when the type is unknown. */
  extensionNumbersOf(extendee: string): number[] | undefined {
    const name = typeName(extendee);
    if (!this.messageNames.has(name)) return undefined;
    return [...(this.extensions.get(name)?.keys() ?? [])].sort((a, b) => a - b);
  }

  private addMessage(file: string, scope: string, message: DescriptorProto): void {
    const full = dotted(scope, message.name);
    this.symbols.set(full, file);
    this.messageNames.add(full);
    for (const field of message.field) this.symbols.set(dotted(full, field.name), file);
    for (const oneof of message.oneofDecl) this.symbols.set(dotted(full, oneof.name), file);
    for (const nested of message.nestedType) this.addMessage(file, full, nested);
    for (const e of message.enumType) this.addEnum(file, full, e);
    for (const ext of message.extension) this.addExtension(file, full, ext);
  }

  private addEnum(file: string, scope: string, e: EnumDescriptorProto): void {
    this.symbols.set(dotted(scope, e.name), file);
    // Enum values are scoped as siblings of their enum, as in C++.
    for (const value of e.value) this.symbols.set(dotted(scope, value.name), file);
  }

  private addExtension(file: string, scope: string, ext: FieldDescriptorProto): void {
    this.symbols.set(dotted(scope, ext.name), file);
    const extendee = typeName(ext.extendee);
    let numbers = this.extensions.get(extendee);
    if (!numbers) this.extensions.set(extendee, (numbers = new Map()));
    numbers.set(ext.number, file);
  }
}
