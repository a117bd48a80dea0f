import type { Principal } from '../../../../lib/auth/principal';
import { failedPrecondition, notFound } from '../../../../lib/errors/domain-error';
import { BILLING_COLLECTIONS, type AccountRecord } from '../../domain/records';
import type { BillingDeps } from '../ports';
import type { PluginPort } from '../sync/plugin-port';
import { domainOf } from '../../../../lib/auth/principal';
import { getDataSource } from './read';

/**
 * DataSourceService.VerifyPlugin: calls the plugin's Init and, for an account, Verify with its
 * credentials (fetched from identity for this call only). Errors say what to fix.
 */
export async function verifyPlugin(
  deps: Pick<BillingDeps, 'store' | 'identity'>,
  plugins: PluginPort,
  p: Principal,
  req: { dataSourceId: string; serviceAccountId: string },
): Promise<{ providers: string[]; currency: string }> {
  const domainId = domainOf(p, 'DOMAIN_ADMIN');
  const ds = await getDataSource(deps, p, req.dataSourceId);
  const info = await plugins.init(ds.plugin_endpoint, ds.options, domainId);
  if (req.serviceAccountId) {
    const account = await deps.store
      .collection<AccountRecord>(BILLING_COLLECTIONS.accounts)
      .findOne({ _id: req.serviceAccountId, domain_id: domainId });
    if (!account) throw notFound('service account', req.serviceAccountId);
    if (!info.providers.includes(account.provider)) {
      throw failedPrecondition('DATA_SOURCE.PROVIDER_NOT_SERVED', `data source ${ds._id} does not serve ${account.provider} accounts`);
    }
    const secretData = account.secret_id ? await deps.identity.getSecretData(domainId, account.secret_id) : {};
    await plugins.verify(ds.plugin_endpoint, {
      domainId,
      options: ds.options,
      secretData,
      account: { serviceAccountId: account._id, externalAccountId: account.external_account_id, provider: account.provider, data: account.data },
    });
  }
  return { providers: info.providers, currency: info.currency };
}
