import { invalidArgument } from '../../../../lib/errors/domain-error';

export const DATA_SOURCE_LIMITS = {
  maxOptionsBytes: 16 * 1024,
  maxEndpoint: 255,
  /** Hours between scheduled re-pulls: 0 (off) to a week. */
  scheduleHours: { min: 0, max: 168 },
  maxPerDomain: 100,
} as const;

/** Plugin options: a JSON object of at most 16 KiB (the plugin's Verify checks its content). */
export function checkOptions(options: Record<string, unknown> | undefined, field = 'options'): Record<string, unknown> {
  if (options === undefined || options === null) return {};
  if (typeof options !== 'object' || Array.isArray(options)) throw invalidArgument('FIELD.INVALID', field, `${field} must be an object`);
  if (Buffer.byteLength(JSON.stringify(options)) > DATA_SOURCE_LIMITS.maxOptionsBytes) {
    throw invalidArgument('FIELD.TOO_LARGE', field, `${field} must be at most ${DATA_SOURCE_LIMITS.maxOptionsBytes} bytes`);
  }
  return options;
}

export function checkScheduleHours(value: unknown, field = 'schedule_hours'): number {
  const { min, max } = DATA_SOURCE_LIMITS.scheduleHours;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalidArgument('FIELD.OUT_OF_RANGE', field, `${field} must be a whole number from ${min} (no schedule) to ${max}, got ${String(value)}`);
  }
  return value;
}

const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const HOST_PORT = new RegExp(`^(${LABEL}(?:\\.${LABEL})*|\\[[0-9A-Fa-f:.]+\\]):([0-9]{1,5})$`);
const IPV4 = /^\d+\.\d+\.\d+\.\d+$/;

/** host:port of a plugin's gRPC server: a DNS name, an IPv4 address or a [bracketed] IPv6 address, and a port. */
export function checkPluginEndpoint(value: string | undefined, field = 'plugin_endpoint'): string {
  const endpoint = (value ?? '').trim();
  if (!endpoint) throw invalidArgument('FIELD.REQUIRED', field, `${field} is required (host:port of the plugin's gRPC server)`);
  const shown = JSON.stringify(endpoint.slice(0, 100));
  const bad = (why: string) => invalidArgument('DATA_SOURCE.INVALID_ENDPOINT', field, `${field}: ${shown} ${why}`);
  if (endpoint.length > DATA_SOURCE_LIMITS.maxEndpoint) throw bad(`is longer than ${DATA_SOURCE_LIMITS.maxEndpoint} characters`);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(endpoint)) throw bad('has a scheme; give host:port only, e.g. plugin-hyperbilling:50061');
  const m = HOST_PORT.exec(endpoint);
  if (!m) throw bad('is not host:port, e.g. plugin-hyperbilling:50061 or 10.0.0.5:50061');
  const [, host, portText] = m;
  const port = Number(portText);
  if (port < 1 || port > 65535) throw bad('has a port outside 1-65535');
  if (IPV4.test(host) && host.split('.').some((o) => Number(o) > 255)) throw bad('has an IPv4 address with a part above 255');
  return endpoint;
}
