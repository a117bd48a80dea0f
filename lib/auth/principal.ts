import { permissionDenied } from '../errors/domain-error';

export type RoleName = 'SYSTEM' | 'DOMAIN_ADMIN' | 'DOMAIN_VIEWER' | 'PROJECT_MEMBER';

/** Who is calling. SYSTEM principals may act in any domain; the others only in their own. */
export interface Principal {
  subject: string;
  /** Empty for SYSTEM principals that act across domains. */
  domainId: string;
  role: RoleName;
  /** For PROJECT_MEMBER: the projects it may see. */
  projectIds: string[];
}

const RANK: Record<RoleName, number> = { PROJECT_MEMBER: 1, DOMAIN_VIEWER: 2, DOMAIN_ADMIN: 3, SYSTEM: 4 };

/** Throws PERMISSION_DENIED unless the principal's role is at least `min`. */
export function requireRole(p: Principal, min: RoleName): void {
  if (RANK[p.role] < RANK[min]) throw permissionDenied(`this call needs the ${min} role`);
}

export function isSystem(p: Principal): boolean {
  return p.role === 'SYSTEM';
}

/**
 * The domain a call acts in: always the credential's, never the request's. Throws
 * PERMISSION_DENIED below `minRole`, or for a SYSTEM credential that names no domain.
 */
export function domainOf(p: Principal, minRole: RoleName = 'DOMAIN_VIEWER'): string {
  requireRole(p, minRole);
  if (!p.domainId) throw permissionDenied('this call needs a credential of a domain');
  return p.domainId;
}
