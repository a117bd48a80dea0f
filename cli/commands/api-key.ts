import { UsageError } from '../args';
import type { Command } from '../command';

const ROLES: Record<string, string> = { admin: 'ROLE_DOMAIN_ADMIN', viewer: 'ROLE_DOMAIN_VIEWER', member: 'ROLE_PROJECT_MEMBER' };

export const apiKeyCreate: Command = {
  words: ['api-key', 'create'],
  usage: 'api-key create --name <name> --role viewer|admin|member [--project <id> ...]',
  flags: ['name', 'role', 'project'],
  positionals: 0,
  async run({ flags, client, say, printJson }) {
    const name = flags.required('name');
    const roleName = flags.required('role');
    const role = ROLES[roleName];
    if (!role) throw new UsageError(`--role must be one of viewer, admin, member (not ${JSON.stringify(roleName)})`);
    const projectIds = flags.all('project');
    if (roleName === 'member' && projectIds.length === 0) throw new UsageError('--project is required for a member key (repeat it for several projects)');
    const res = await client.call('/identity/api-key/create', { name, role, project_ids: projectIds });
    if (printJson(res)) return;
    say(`api key ${res.api_key.api_key_id} (${roleName}${projectIds.length ? ` on ${projectIds.join(', ')}` : ''}):`);
    say(res.key);
    say('Keep the key now: it is shown only once.');
  },
};
