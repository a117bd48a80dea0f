import { getOption, type DescMethod, type Registry } from '@bufbuild/protobuf';

/**
 * What the gateway exposes: every service of the public packages, minus the RPCs the contract
 * marks internal (`option (tally.core.v1.exposure) = EXPOSURE_INTERNAL`, or the service-wide
 * `service_exposure`): system-only calls between services. The plugin protocol (tally.plugin.*)
 * and events live in other packages and are never exposed.
 */
export type Backend = 'identity' | 'billing';

/** Public package → the backend that serves it and the first segment of its HTTP routes. */
export const EXPOSED_PACKAGES: Record<string, { backend: Backend; area: string }> = {
  'tally.identity.v1': { backend: 'identity', area: 'identity' },
  'tally.billing.v1': { backend: 'billing', area: 'billing' },
};

/** tally.core.v1.Exposure.EXPOSURE_INTERNAL */
const EXPOSURE_INTERNAL = 2;

/**
 * Whether the contract marks a method internal (its own option first, else its service's).
 * A descriptor set without the options file cannot say: that is an error, not "all public".
 */
export function internalIn(registry: Registry): (method: DescMethod) => boolean {
  const methodOption = registry.getExtension('tally.core.v1.exposure');
  const serviceOption = registry.getExtension('tally.core.v1.service_exposure');
  if (!methodOption || !serviceOption) throw new Error('the descriptor set lacks tally/core/v1/options.proto: cannot tell internal RPCs from public ones');
  return (method) => {
    const own = getOption(method, methodOption) as number;
    const exposure = own || (getOption(method.parent, serviceOption) as number);
    return exposure === EXPOSURE_INTERNAL;
  };
}
