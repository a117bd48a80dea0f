import { requireRole, type Principal } from '../../../../lib/auth/principal';
import { permissionDenied } from '../../../../lib/errors/domain-error';

export interface CallerScope {
  /** Always the credential's domain, never the request's. */
  domainId: string;
  /** Projects a PROJECT_MEMBER may see; null for domain-wide roles. */
  projects: ReadonlySet<string> | null;
}

/** The domain and projects a caller may read costs of; PERMISSION_DENIED without a domain. */
export function scopeOf(p: Principal): CallerScope {
  requireRole(p, 'PROJECT_MEMBER');
  if (!p.domainId) throw permissionDenied('reading costs needs a credential of a domain');
  return { domainId: p.domainId, projects: p.role === 'PROJECT_MEMBER' ? new Set(p.projectIds ?? []) : null };
}
