/** `UpdateSecretData` → `update-secret-data`. */
export function kebab(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .toLowerCase();
}

/**
 * The SpaceONE-style HTTP route of a method: `POST /<area>/<resource-kebab>/<verb-kebab>`, the
 * resource being the service name without its `Service` suffix:
 * (identity, ServiceAccountService, UpdateSecretData) → /identity/service-account/update-secret-data.
 */
export function httpRoute(area: string, serviceShortName: string, methodName: string): string {
  const resource = serviceShortName.replace(/Service$/, '');
  return `/${area}/${kebab(resource)}/${kebab(methodName)}`;
}
