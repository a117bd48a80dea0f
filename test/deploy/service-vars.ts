import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { ConfigSchema } from '../../lib/config/config';
import { BILLING_VARS } from '../../services/billing/config';
import { IDENTITY_VARS } from '../../services/identity/config';
import { FOCUS_VARS } from '../../plugins/focus/config';
import { HYPERBILLING_VARS } from '../../plugins/hyperbilling/config';
import { PLUGIN_VARS } from '../../plugins/sdk/config';

/** What a Tally entry point (the image's command) accepts; `vars` is missing when it cannot be known yet. */
export interface EntryPoint {
  vars?: ConfigSchema;
  skipped?: string;
}

const ROOT = join(__dirname, '..', '..');
const GATEWAY_CONFIG = join(ROOT, 'services', 'gateway', 'config.ts');

/** The gateway is being built alongside: its variables are checked once services/gateway/config.ts exists. */
function gatewayEntryPoint(): EntryPoint {
  if (!existsSync(GATEWAY_CONFIG)) return { skipped: 'services/gateway/config.ts does not exist yet: the gateway env check is skipped' };
  const mod = createRequire(__filename)(GATEWAY_CONFIG) as { GATEWAY_VARS?: ConfigSchema };
  if (!mod.GATEWAY_VARS) return { skipped: 'services/gateway/config.ts exports no GATEWAY_VARS: the gateway env check is skipped' };
  return { vars: mod.GATEWAY_VARS };
}

/** Each entry point the manifests may run (`node <main>`), with the variables it accepts. */
export function entryPoints(): Record<string, EntryPoint> {
  return {
    'dist/services/identity/main.js': { vars: IDENTITY_VARS },
    'dist/services/billing/main.js': { vars: BILLING_VARS },
    'dist/services/gateway/main.js': gatewayEntryPoint(),
    'dist/plugins/hyperbilling/main.js': { vars: { ...PLUGIN_VARS, ...HYPERBILLING_VARS } },
    'dist/plugins/demo/main.js': { vars: PLUGIN_VARS },
    'dist/plugins/focus/main.js': { vars: { ...PLUGIN_VARS, ...FOCUS_VARS } },
  };
}

/** Every *_VARS list, for the documentation check. */
export function allVarLists(): Record<string, ConfigSchema> {
  const gateway = gatewayEntryPoint().vars;
  return { IDENTITY_VARS, BILLING_VARS, PLUGIN_VARS, HYPERBILLING_VARS, FOCUS_VARS, ...(gateway ? { GATEWAY_VARS: gateway } : {}) };
}
