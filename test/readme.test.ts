import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BILLING_VARS } from '../services/billing/config';
import { GATEWAY_VARS } from '../services/gateway/config';
import { IDENTITY_VARS } from '../services/identity/config';

/** The README's configuration table must list every variable the services accept. */
describe('README', () => {
  const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
  it.each([...new Set([...Object.keys(IDENTITY_VARS), ...Object.keys(BILLING_VARS), ...Object.keys(GATEWAY_VARS)])])('documents %s', (name) => {
    expect(readme).toContain(`| \`${name}\` |`);
  });
  it('shows the two commands', () => {
    expect(readme).toContain('make run');
    expect(readme).toContain('make test');
  });
});
