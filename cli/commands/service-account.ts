import { UsageError } from '../args';
import type { Command } from '../command';
import { readCredentials } from '../credentials';
import { renderTable } from '../table';

function parseData(pairs: string[]): Record<string, string> {
  const data: Record<string, string> = {};
  for (const p of pairs) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new UsageError(`--data takes key=value (not ${JSON.stringify(p)})`);
    data[p.slice(0, eq)] = p.slice(eq + 1);
  }
  return data;
}

export const serviceAccountCreate: Command = {
  words: ['service-account', 'create'],
  usage: 'service-account create --name <name> --provider <key> --project <id> [--data k=v ...] [--credentials file.json | -]',
  flags: ['name', 'provider', 'project', 'data', 'credentials'],
  positionals: 0,
  async run({ flags, client, io, say, printJson }) {
    const name = flags.required('name');
    const provider = flags.required('provider');
    const data = parseData(flags.all('data'));
    const secretData = await readCredentials(io, client, provider, flags.get('credentials'));
    const res = await client.call('/identity/service-account/create', {
      name,
      provider,
      project_id: flags.get('project') ?? '',
      ...(Object.keys(data).length ? { data } : {}),
      ...(secretData ? { secret_data: secretData } : {}),
    });
    if (printJson(res)) return;
    say(res.service_account.service_account_id);
  },
};

export const serviceAccountList: Command = {
  words: ['service-account', 'list'],
  usage: 'service-account list',
  flags: [],
  positionals: 0,
  async run({ client, io, printJson }) {
    const res = await client.call('/identity/service-account/list', {});
    if (printJson(res)) return;
    const rows = (res.results as { service_account_id: string; name: string; provider: string; project_id: string }[]).map((a) => [
      a.service_account_id,
      a.name,
      a.provider,
      a.project_id || '-',
    ]);
    io.stdout.write(renderTable(['SERVICE ACCOUNT', 'NAME', 'PROVIDER', 'PROJECT'], rows));
  },
};

export const serviceAccountMove: Command = {
  words: ['service-account', 'move'],
  usage: 'service-account move <id> --project <id>',
  flags: ['project'],
  positionals: 1,
  async run({ flags, client, say, printJson }) {
    const id = flags.positional(0, 'the service account id');
    const res = await client.call('/identity/service-account/update', { service_account_id: id, project_id: flags.required('project') });
    if (printJson(res)) return;
    say(`${id} moved to ${res.service_account.project_id}`);
  },
};

export const serviceAccountDelete: Command = {
  words: ['service-account', 'delete'],
  usage: 'service-account delete <id>',
  flags: [],
  positionals: 1,
  async run({ flags, client, say, printJson }) {
    const id = flags.positional(0, 'the service account id');
    const res = await client.call('/identity/service-account/delete', { service_account_id: id });
    if (printJson(res)) return;
    say(`${id} deleted`);
  },
};
