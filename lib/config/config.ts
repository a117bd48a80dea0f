/**
 * Configuration from environment variables, parsed and validated once at start. Every
 * variable a service accepts is declared here with its type, default and description, so a
 * bad value is reported by name, the README table and the deployment checks come from one
 * list, and nothing else reads process.env.
 */
export type VarType = 'string' | 'int' | 'port' | 'bool' | 'url' | 'enum';

export interface VarSpec<T = unknown> {
  type: VarType;
  description: string;
  default?: T;
  required?: boolean;
  values?: readonly string[];
  /** Minimum length for strings (e.g. secrets). */
  minLength?: number;
  /** Never printed back in errors. */
  secret?: boolean;
}

export type ConfigSchema = Record<string, VarSpec>;

type ValueOf<S extends VarSpec> = S['type'] extends 'int' | 'port'
  ? number
  : S['type'] extends 'bool'
    ? boolean
    : string;

export type ConfigOf<S extends ConfigSchema> = {
  [K in keyof S]: S[K]['required'] extends true
    ? ValueOf<S[K]>
    : S[K]['default'] extends undefined
      ? ValueOf<S[K]> | undefined
      : ValueOf<S[K]>;
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

function parseOne(name: string, spec: VarSpec, raw: string): { value?: unknown; problem?: string } {
  const shown = spec.secret ? '(hidden)' : JSON.stringify(raw);
  switch (spec.type) {
    case 'int':
    case 'port': {
      if (!/^-?\d+$/.test(raw)) return { problem: `${name} must be an integer, got ${shown}` };
      const n = Number(raw);
      if (spec.type === 'port' && (n < 0 || n > 65535)) return { problem: `${name} must be a port 0-65535, got ${shown}` };
      return { value: n };
    }
    case 'bool':
      if (['true', '1', 'yes'].includes(raw.toLowerCase())) return { value: true };
      if (['false', '0', 'no'].includes(raw.toLowerCase())) return { value: false };
      return { problem: `${name} must be true or false, got ${shown}` };
    case 'url':
      try {
        new URL(raw);
        return { value: raw };
      } catch {
        return { problem: `${name} must be a URL, got ${shown}` };
      }
    case 'enum':
      if (!spec.values?.includes(raw)) return { problem: `${name} must be one of ${spec.values?.join(', ')}, got ${shown}` };
      return { value: raw };
    case 'string':
      if (spec.minLength && raw.length < spec.minLength) {
        return { problem: `${name} must be at least ${spec.minLength} characters long` };
      }
      return { value: raw };
  }
}

/** Parses env against schema; throws ConfigError naming every bad or missing variable. */
export function loadConfig<S extends ConfigSchema>(schema: S, env: NodeJS.ProcessEnv = process.env): ConfigOf<S> {
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, spec] of Object.entries(schema)) {
    const raw = env[name];
    if (raw === undefined || raw === '') {
      if (spec.required) problems.push(`${name} is required: ${spec.description}`);
      else out[name] = spec.default;
      continue;
    }
    const { value, problem } = parseOne(name, spec, raw);
    if (problem) problems.push(problem);
    else out[name] = value;
  }
  if (problems.length) throw new ConfigError(problems);
  return out as ConfigOf<S>;
}
