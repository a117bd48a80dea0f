import type { Command } from '../command';

export const domainCreate: Command = {
  words: ['domain', 'create'],
  usage: 'domain create <name>',
  summary: 'a domain and its first admin API key (needs the root key)',
  flags: [],
  positionals: 1,
  async run({ flags, client, say, printJson }) {
    const res = await client.call('/identity/domain/create', { name: flags.positional(0, 'the domain name') });
    if (printJson(res)) return;
    say(`domain: ${res.domain.domain_id} (${res.domain.name})`);
    say(`admin api key: ${res.key}`);
    say('Keep the key now: it is shown only once.');
  },
};
