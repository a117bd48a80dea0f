import { status } from '@grpc/grpc-js';
import type { PluginClient } from '../client';
import { fail, pass, skip, type Verdict } from './check-result';
import { codeName, describeError, isCode } from './grpc-error';
import type { Settings } from './options';

/** Deliberately bad credentials get UNAUTHENTICATED or INVALID_ARGUMENT, not a crash. */
export async function checkBadCredentials(client: PluginClient, s: Settings): Promise<Verdict> {
  try {
    await client.verify({ options: s.options, secretData: s.badCredentials, account: s.account, domainId: s.domainId }, { deadlineMs: s.timeoutMs });
  } catch (err) {
    if (isCode(err, status.UNAUTHENTICATED) || isCode(err, status.INVALID_ARGUMENT)) return pass(`refused with ${codeName(err)}`);
    return fail('bad credentials must be refused with UNAUTHENTICATED (rejected) or INVALID_ARGUMENT (malformed)', `Verify answered ${describeError(err)}`);
  }
  return fail('Verify accepted deliberately bad credentials', 'Verify answered OK');
}

/** The given credentials verify; when none were given and the plugin needs some, the data checks are skipped. */
export async function checkCredentials(client: PluginClient, s: Settings, given: boolean): Promise<{ verdict: Verdict; usable: boolean }> {
  try {
    await client.verify({ options: s.options, secretData: s.credentials, account: s.account, domainId: s.domainId }, { deadlineMs: s.timeoutMs });
    return { verdict: pass(given ? 'the given credentials verify' : 'empty credentials verify (the plugin needs none)'), usable: true };
  } catch (err) {
    const refused = isCode(err, status.UNAUTHENTICATED) || isCode(err, status.INVALID_ARGUMENT);
    if (!given && refused) return { verdict: skip(`the plugin needs credentials (${codeName(err)}): pass --credentials file.json`), usable: false };
    return { verdict: fail('Verify refused the given credentials', describeError(err)), usable: false };
  }
}
