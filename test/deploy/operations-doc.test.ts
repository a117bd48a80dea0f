import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { allVarLists } from './service-vars';

const doc = readFileSync(join(__dirname, '..', '..', 'docs', 'operations.md'), 'utf8');

describe('docs/operations.md', () => {
  it.each(Object.entries(allVarLists()))('documents every variable of %s', (_list, vars) => {
    expect(Object.keys(vars).filter((name) => !doc.includes(`\`${name}\``))).toEqual([]);
  });

  it('covers install, rotation, scaling, backups, upgrades, health and metrics', () => {
    for (const heading of ['## Install', '## Configuration reference', '## Master key rotation', '## Scaling', '## Backups and restore', '## Upgrades', '## Health and metrics']) {
      expect(doc).toContain(heading);
    }
  });
});
