import type { Command } from '../command';
import { renderTable } from '../table';

export const providerList: Command = {
  words: ['provider', 'list'],
  usage: 'provider list',
  flags: [],
  positionals: 0,
  async run({ client, io, printJson }) {
    const res = await client.call('/identity/provider/list', {});
    if (printJson(res)) return;
    const rows = (res.results as { provider: string; name: string; is_billing: boolean; built_in: boolean; credential_schema?: { required?: string[] } }[]).map((p) => [
      p.provider,
      p.name,
      p.is_billing ? 'yes' : 'no',
      p.built_in ? 'built-in' : 'custom',
      (p.credential_schema?.required ?? []).join(', '),
    ]);
    io.stdout.write(renderTable(['PROVIDER', 'NAME', 'BILLING', 'KIND', 'CREDENTIALS'], rows));
  },
};
