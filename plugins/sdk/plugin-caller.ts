import type { Principal } from '../../lib/auth/principal';
import type { Authenticate } from '../../lib/grpc/call-context';

/**
 * The one principal every plugin call runs as. Plugins are not authenticated by the caller's
 * API key: only billing reaches them, on the internal network (the prod NetworkPolicy), and a
 * plugin holds nothing of its own to protect - the credentials it uses arrive inside each call.
 * So the binding accepts every call as this fixed caller instead of checking a token that
 * plugins written in other languages would have to learn to verify.
 */
export const PLUGIN_CALLER: Readonly<Principal> = Object.freeze({
  subject: 'plugin-caller',
  domainId: '',
  role: 'SYSTEM',
  projectIds: [],
});

export const acceptPluginCaller: Authenticate = async () => ({ ...PLUGIN_CALLER, projectIds: [] });
