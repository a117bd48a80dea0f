import { call } from '../api.js';
import { h, replace } from '../dom.js';
import { dateTime } from '../dates.js';
import * as data from '../data.js';
import { empty, loading, toast } from '../states.js';

const act = (label, path, body, after, cls = 'btn btn-small') =>
  h('button', {
    type: 'button',
    class: cls,
    onclick: async (e) => {
      e.currentTarget.disabled = true;
      try {
        await call(path, body);
        toast(`${label}: done.`);
      } catch (err) {
        toast(`${label} failed: ${err.message}`, 'error');
      }
      after();
    },
  }, label);

/** The job's error, or what its plugin reported: records skipped as unreadable and notes per task. */
function jobOutcome(j) {
  if (j.error_message) return h('span', { class: 'error-text' }, `${j.error_message}${j.error_code ? ` (${j.error_code})` : ''}`);
  const notes = (j.tasks || []).flatMap((t) => t.notes || []);
  const skipped = Number(j.skipped_records || 0);
  if (!notes.length && !skipped) return '';
  const label = skipped ? `${skipped.toLocaleString()} unreadable source record${skipped === 1 ? '' : 's'} skipped` : `${notes.length} note${notes.length === 1 ? '' : 's'}`;
  return h(
    'details',
    { 'data-testid': 'job-report' },
    h('summary', { class: skipped ? 'warn-text' : 'muted' }, label),
    h('ul', { class: 'small' }, notes.map((n) => h('li', {}, n))),
  );
}

function jobsTable(jobs, accountName, sourceName) {
  if (!jobs.length) return empty('No sync jobs yet.');
  return h(
    'div',
    { class: 'table-scroll' },
    h(
      'table',
      { class: 'data', 'data-testid': 'jobs-table' },
      h('thead', {}, h('tr', {}, ['Started', 'Account', 'Data source', 'Trigger', 'Window', 'State', 'Rows', 'Error or report'].map((c) => h('th', { scope: 'col' }, c)))),
      h(
        'tbody',
        {},
        jobs.map((j) =>
          h(
            'tr',
            {},
            h('td', {}, dateTime(j.created_at)),
            h('td', {}, accountName.get(j.service_account_id) || h('span', { class: 'muted' }, `${j.service_account_id} (deleted)`)),
            h('td', {}, sourceName.get(j.data_source_id) || j.data_source_id),
            h('td', {}, j.trigger || '—'),
            h('td', {}, j.start_date && j.end_date ? `${j.start_date} to ${j.end_date}` : '—'),
            h('td', {}, h('span', { class: `badge badge-${data.jobState(j.state).replace(' ', '-')}` }, data.jobState(j.state))),
            h('td', { class: 'num' }, j.rows ?? '0'),
            h('td', {}, jobOutcome(j)),
          ),
        ),
      ),
    ),
  );
}

/** Data sources (enable, disable, sync now) and the history of sync jobs with their errors. */
export async function renderDataSources(page, _args, live) {
  replace(page, h('h1', {}, 'Data sources & jobs'), loading());
  const [sources, jobs, accounts] = await Promise.all([data.dataSources(), data.jobs(), data.accounts()]);
  if (!live()) return;
  const again = () => renderDataSources(page, _args, live);
  const accountName = new Map(accounts.map((a) => [a.service_account_id, a.name]));
  const sourceName = new Map(sources.map((s) => [s.data_source_id, s.name]));
  jobs.sort((a, b) => String(b.created_at || '').localeCompare(String(a.created_at || '')));
  replace(
    page,
    h('div', { class: 'page-head' }, h('h1', {}, 'Data sources & jobs'), h('button', { type: 'button', class: 'btn', onclick: again }, 'Refresh')),
    h(
      'section',
      { class: 'card wide' },
      h('h2', {}, 'Data sources'),
      sources.length
        ? h(
            'div',
            { class: 'table-scroll' },
            h(
              'table',
              { class: 'data', 'data-testid': 'sources-table' },
              h('thead', {}, h('tr', {}, ['Name', 'Providers', 'State', 'Schedule', 'Currency', 'Last synced', ''].map((c) => h('th', { scope: 'col' }, c || h('span', { class: 'sr-only' }, 'Actions'))))),
              h(
                'tbody',
                {},
                sources.map((s) => {
                  const enabled = s.state === 'DATA_SOURCE_STATE_ENABLED';
                  const id = { data_source_id: s.data_source_id };
                  return h(
                    'tr',
                    {},
                    h('th', { scope: 'row' }, s.name),
                    h('td', {}, (s.providers || []).join(', ')),
                    h('td', {}, h('span', { class: `badge badge-${enabled ? 'synced' : 'not-synced'}` }, enabled ? 'enabled' : 'disabled')),
                    h('td', {}, s.schedule_hours ? `every ${s.schedule_hours} h` : 'on demand'),
                    h('td', {}, s.currency || '—'),
                    h('td', {}, dateTime(s.last_synced_at)),
                    h(
                      'td',
                      {},
                      h(
                        'div',
                        { class: 'row-actions' },
                        enabled ? act('Sync now', '/billing/data-source/sync', id, again, 'btn btn-small btn-primary') : null,
                        enabled ? act('Disable', '/billing/data-source/disable', id, again) : act('Enable', '/billing/data-source/enable', id, again),
                      ),
                    ),
                  );
                }),
              ),
            ),
          )
        : empty('No data sources.'),
    ),
    h('section', { class: 'card wide' }, h('h2', {}, 'Sync jobs'), jobsTable(jobs.slice(0, 100), accountName, sourceName)),
  );
}
