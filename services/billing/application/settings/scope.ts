import { requireRole, type Principal, type RoleName } from '../../../../lib/auth/principal';
import { permissionDenied } from '../../../../lib/errors/domain-error';

/**
 * The domain a call acts in: always the credential's, never the request's. Throws
 * PERMISSION_DENIED below `minRole`, or for a SYSTEM credential that names no domain.
 */
export function domainOf(p: Principal, minRole: RoleName = 'DOMAIN_VIEWER'): string {
  requireRole(p, minRole);
  if (!p.domainId) throw permissionDenied('this call needs a credential of a domain');
  return p.domainId;
}
