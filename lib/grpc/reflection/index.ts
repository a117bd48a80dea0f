export { addReflection, type ReflectionOptions } from './add-reflection';
export { DescriptorIndex } from './descriptor-index';
export { REFLECTION_V1, REFLECTION_V1ALPHA } from './builtin-files';
