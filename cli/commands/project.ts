import { ApiError } from '../gateway-client';
import type { Command } from '../command';
import { renderTable } from '../table';

export const projectGroupCreate: Command = {
  words: ['project-group', 'create'],
  usage: 'project-group create <name> [--parent <group id>]',
  flags: ['parent'],
  positionals: 1,
  async run({ flags, client, say, printJson }) {
    const res = await client.call('/identity/project-group/create', { name: flags.positional(0, 'the group name'), parent_group_id: flags.get('parent') ?? '' });
    if (printJson(res)) return;
    say(res.project_group.project_group_id);
  },
};

export const projectCreate: Command = {
  words: ['project', 'create'],
  usage: 'project create <name> [--group <group id>]',
  flags: ['group'],
  positionals: 1,
  async run({ flags, client, say, printJson }) {
    const res = await client.call('/identity/project/create', { name: flags.positional(0, 'the project name'), project_group_id: flags.get('group') ?? '' });
    if (printJson(res)) return;
    say(res.project.project_id);
  },
};

export const projectList: Command = {
  words: ['project', 'list'],
  usage: 'project list',
  flags: [],
  positionals: 0,
  async run({ client, io, printJson }) {
    // A project member's key lists its own projects but may not read the group tree: the groups then show by id.
    const groupList = client.call('/identity/project-group/list', {}).catch((e: unknown) => {
      if (e instanceof ApiError && e.body.code === 'PERMISSION_DENIED') return { results: [] };
      throw e;
    });
    const [projects, groups] = await Promise.all([client.call('/identity/project/list', {}), groupList]);
    if (printJson(projects)) return;
    const groupName = new Map((groups.results as { project_group_id: string; name: string }[]).map((g) => [g.project_group_id, g.name]));
    const rows = (projects.results as { project_id: string; name: string; project_group_id: string }[]).map((p) => [
      p.project_id,
      p.name,
      p.project_group_id ? `${groupName.get(p.project_group_id) ?? '?'} (${p.project_group_id})` : '-',
    ]);
    io.stdout.write(renderTable(['PROJECT', 'NAME', 'GROUP'], rows));
  },
};
