import type { ServiceDefinition } from '@grpc/grpc-js';
import type { BoundService } from '../../../../lib/grpc/server';
import { ApiKeyServiceService, type ApiKeyServiceServer } from '../../../../gen/tally/identity/v1/api_key';
import { AuthServiceService, type AuthServiceServer } from '../../../../gen/tally/identity/v1/auth';
import { DomainServiceService, type DomainServiceServer } from '../../../../gen/tally/identity/v1/domain';
import { ProjectServiceService, type ProjectServiceServer } from '../../../../gen/tally/identity/v1/project';
import { ProjectGroupServiceService, type ProjectGroupServiceServer } from '../../../../gen/tally/identity/v1/project_group';
import { ProviderServiceService, type ProviderServiceServer } from '../../../../gen/tally/identity/v1/provider';
import { SecretServiceService, type SecretServiceServer } from '../../../../gen/tally/identity/v1/secret';
import { ServiceAccountServiceService, type ServiceAccountServiceServer } from '../../../../gen/tally/identity/v1/service_account';
import { requireRole } from '../../../../lib/auth/principal';
import { unauthenticated } from '../../../../lib/errors/domain-error';
import { bindService, type BindOptions, type Handlers } from '../../../../lib/grpc/bind-service';
import * as apiKeys from '../../application/api-keys';
import { verifyCredential } from '../../application/auth';
import type { IdentityDeps } from '../../application/deps';
import * as domains from '../../application/domains';
import * as groups from '../../application/project-groups';
import * as projects from '../../application/projects';
import * as providers from '../../application/providers';
import * as secrets from '../../application/secrets';
import * as accounts from '../../application/service-accounts';
import { fromRole, toApiKey, toDomain, toProject, toProjectGroup, toProvider, toSecret, toServiceAccount, toRole } from './mappers';

/** Identity's gRPC services: thin adapters from messages to use cases and back. */
export function identityServices(deps: IdentityDeps, opts: BindOptions): BoundService[] {
  const bound = <S>(name: string, definition: ServiceDefinition, handlers: Handlers<S>): BoundService => ({
    name: `tally.identity.v1.${name}`,
    definition,
    implementation: bindService<S>(definition, handlers, opts),
  });
  return [
    bound<DomainServiceServer>('DomainService', DomainServiceService, {
      create: async (req, { principal }) => {
        const r = await domains.createDomain(deps, principal, { name: req.name, tags: req.tags });
        return { domain: toDomain(r.domain), apiKey: toApiKey(r.apiKey), key: r.key };
      },
      update: async (req, { principal }) => ({
        domain: toDomain(await domains.updateDomain(deps, principal, { domainId: req.domainId, name: req.name, tags: req.tags })),
      }),
      delete: async (req, { principal }) => (await domains.deleteDomain(deps, principal, req.domainId), {}),
      get: async (req, { principal }) => ({ domain: toDomain(await domains.getDomain(deps, principal, req.domainId)) }),
      list: async (req, { principal }) => {
        const { results, total } = await domains.listDomains(deps, principal, req.query);
        return { results: results.map(toDomain), totalCount: total };
      },
      stat: async (req, { principal }) => ({ result: await domains.statDomains(deps, principal, req.query) }),
    }),
    bound<ApiKeyServiceServer>('ApiKeyService', ApiKeyServiceService, {
      create: async (req, { principal }) => {
        const r = await apiKeys.createApiKey(deps, principal, {
          name: req.name,
          role: fromRole(req.role),
          projectIds: req.projectIds,
          expiresAt: req.expiresAt,
        });
        return { apiKey: toApiKey(r.apiKey), key: r.key };
      },
      delete: async (req, { principal }) => (await apiKeys.deleteApiKey(deps, principal, req.apiKeyId), {}),
      get: async (req, { principal }) => ({ apiKey: toApiKey(await apiKeys.getApiKey(deps, principal, req.apiKeyId)) }),
      list: async (req, { principal }) => {
        const { results, total } = await apiKeys.listApiKeys(deps, principal, req.query);
        return { results: results.map(toApiKey), totalCount: total };
      },
      stat: async (req, { principal }) => ({ result: await apiKeys.statApiKeys(deps, principal, req.query) }),
    }),
    bound<AuthServiceServer>('AuthService', AuthServiceService, {
      verify: async (req, { principal }) => {
        requireRole(principal, 'SYSTEM');
        const found = await verifyCredential(deps, req.credential);
        if (!found) throw unauthenticated('credential is not valid');
        return { principal: { subject: found.subject, domainId: found.domainId, role: toRole(found.role), projectIds: found.projectIds } };
      },
    }),
    bound<ProviderServiceServer>('ProviderService', ProviderServiceService, {
      create: async (req, { principal }) => ({
        provider: toProvider(
          await providers.createProvider(deps, principal, {
            provider: req.provider,
            name: req.name,
            accountSchema: req.accountSchema,
            credentialSchema: req.credentialSchema,
            isBilling: req.isBilling,
            tags: req.tags,
          }),
        ),
      }),
      update: async (req, { principal }) => ({
        provider: toProvider(
          await providers.updateProvider(deps, principal, {
            provider: req.provider,
            name: req.name,
            accountSchema: req.accountSchema,
            credentialSchema: req.credentialSchema,
            tags: req.tags,
          }),
        ),
      }),
      delete: async (req, { principal }) => (await providers.deleteProvider(deps, principal, req.provider), {}),
      get: async (req, { principal }) => ({ provider: toProvider(await providers.getProvider(deps, principal, req.provider)) }),
      list: async (req, { principal }) => {
        const { results, total } = await providers.listProviders(deps, principal, req.query);
        return { results: results.map(toProvider), totalCount: total };
      },
      stat: async (req, { principal }) => ({ result: await providers.statProviders(deps, principal, req.query) }),
    }),
    bound<ProjectGroupServiceServer>('ProjectGroupService', ProjectGroupServiceService, {
      create: async (req, { principal }) => ({
        projectGroup: toProjectGroup(
          await groups.createProjectGroup(deps, principal, { name: req.name, parentGroupId: req.parentGroupId, tags: req.tags }),
        ),
      }),
      update: async (req, { principal }) => ({
        projectGroup: toProjectGroup(
          await groups.updateProjectGroup(deps, principal, {
            projectGroupId: req.projectGroupId,
            name: req.name,
            parentGroupId: req.parentGroupId,
            tags: req.tags,
          }),
        ),
      }),
      delete: async (req, { principal }) => (await groups.deleteProjectGroup(deps, principal, req.projectGroupId), {}),
      get: async (req, { principal }) => ({ projectGroup: toProjectGroup(await groups.getProjectGroup(deps, principal, req.projectGroupId)) }),
      list: async (req, { principal }) => {
        const { results, total } = await groups.listProjectGroups(deps, principal, req.query);
        return { results: results.map(toProjectGroup), totalCount: total };
      },
      stat: async (req, { principal }) => ({ result: await groups.statProjectGroups(deps, principal, req.query) }),
    }),
    bound<ProjectServiceServer>('ProjectService', ProjectServiceService, {
      create: async (req, { principal }) => ({
        project: toProject(await projects.createProject(deps, principal, { name: req.name, projectGroupId: req.projectGroupId, tags: req.tags })),
      }),
      update: async (req, { principal }) => ({
        project: toProject(
          await projects.updateProject(deps, principal, {
            projectId: req.projectId,
            name: req.name,
            projectGroupId: req.projectGroupId,
            tags: req.tags,
          }),
        ),
      }),
      delete: async (req, { principal }) => (await projects.deleteProject(deps, principal, req.projectId), {}),
      get: async (req, { principal }) => ({ project: toProject(await projects.getProject(deps, principal, req.projectId)) }),
      list: async (req, { principal }) => {
        const { results, total } = await projects.listProjects(deps, principal, req.query);
        return { results: results.map(toProject), totalCount: total };
      },
      stat: async (req, { principal }) => ({ result: await projects.statProjects(deps, principal, req.query) }),
    }),
    bound<ServiceAccountServiceServer>('ServiceAccountService', ServiceAccountServiceService, {
      create: async (req, { principal }) => ({
        serviceAccount: toServiceAccount(
          await accounts.createServiceAccount(deps, principal, {
            name: req.name,
            provider: req.provider,
            projectId: req.projectId,
            data: req.data,
            secretData: req.secretData,
            tags: req.tags,
          }),
        ),
      }),
      update: async (req, { principal }) => ({
        serviceAccount: toServiceAccount(
          await accounts.updateServiceAccount(deps, principal, {
            serviceAccountId: req.serviceAccountId,
            name: req.name,
            projectId: req.projectId,
            data: req.data,
            tags: req.tags,
          }),
        ),
      }),
      updateSecretData: async (req, { principal }) => ({
        serviceAccount: toServiceAccount(
          await accounts.updateServiceAccountSecret(deps, principal, { serviceAccountId: req.serviceAccountId, secretData: req.secretData }),
        ),
      }),
      delete: async (req, { principal }) => (await accounts.deleteServiceAccount(deps, principal, req.serviceAccountId), {}),
      get: async (req, { principal }) => ({
        serviceAccount: toServiceAccount(await accounts.getServiceAccount(deps, principal, req.serviceAccountId)),
      }),
      list: async (req, { principal }) => {
        const { results, total } = await accounts.listServiceAccounts(deps, principal, req.query);
        return { results: results.map(toServiceAccount), totalCount: total };
      },
      stat: async (req, { principal }) => ({ result: await accounts.statServiceAccounts(deps, principal, req.query) }),
    }),
    bound<SecretServiceServer>('SecretService', SecretServiceService, {
      get: async (req, { principal }) => ({ secret: toSecret(await secrets.getSecret(deps, principal, req.secretId)) }),
      list: async (req, { principal }) => {
        const { results, total } = await secrets.listSecrets(deps, principal, req.query);
        return { results: results.map(toSecret), totalCount: total };
      },
      stat: async (req, { principal }) => ({ result: await secrets.statSecrets(deps, principal, req.query) }),
      getData: async (req, { principal }) => ({ data: await secrets.getSecretData(deps, principal, req.domainId, req.secretId) }),
      rewrap: async (req, { principal }) => secrets.rewrapSecrets(deps, principal, req.limit),
    }),
  ];
}
