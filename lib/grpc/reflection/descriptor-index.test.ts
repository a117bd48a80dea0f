import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import {
  FieldDescriptorProto_Label,
  FieldDescriptorProto_Type,
  FileDescriptorProtoSchema,
  FileDescriptorSetSchema,
} from '@bufbuild/protobuf/wkt';
import { DescriptorIndex } from './descriptor-index';

/** A custom method option, as a contract would declare one: extend google.protobuf.MethodOptions. */
function setWithExtension(): Uint8Array {
  const descriptor = create(FileDescriptorProtoSchema, {
    name: 'google/protobuf/descriptor.proto',
    package: 'google.protobuf',
    messageType: [{ name: 'MethodOptions', extensionRange: [{ start: 1000, end: 536870912 }] }],
  });
  const options = create(FileDescriptorProtoSchema, {
    name: 'tally/core/v1/options.proto',
    package: 'tally.core.v1',
    dependency: ['google/protobuf/descriptor.proto'],
    extension: [
      {
        name: 'internal_only',
        number: 50001,
        label: FieldDescriptorProto_Label.OPTIONAL,
        type: FieldDescriptorProto_Type.BOOL,
        extendee: '.google.protobuf.MethodOptions',
      },
    ],
    syntax: 'proto3',
  });
  return toBinary(FileDescriptorSetSchema, create(FileDescriptorSetSchema, { file: [descriptor, options] }));
}

const names = (files: Uint8Array[] | undefined) =>
  files?.map((b) => fromBinary(FileDescriptorProtoSchema, b).name);

describe('DescriptorIndex', () => {
  const index = DescriptorIndex.fromBinary(setWithExtension());

  it('finds the file defining an extension, with its dependencies', () => {
    expect(names(index.fileContainingExtension('google.protobuf.MethodOptions', 50001))).toEqual([
      'tally/core/v1/options.proto',
      'google/protobuf/descriptor.proto',
    ]);
    expect(index.fileContainingExtension('google.protobuf.MethodOptions', 50002)).toBeUndefined();
    expect(names(index.fileContainingSymbol('tally.core.v1.internal_only'))).toEqual([
      'tally/core/v1/options.proto',
      'google/protobuf/descriptor.proto',
    ]);
  });

  it('lists the extension numbers of a known type and knows no unknown type', () => {
    expect(index.extensionNumbersOf('.google.protobuf.MethodOptions')).toEqual([50001]);
    expect(index.extensionNumbersOf('google.protobuf.FileOptions')).toBeUndefined();
  });
});
