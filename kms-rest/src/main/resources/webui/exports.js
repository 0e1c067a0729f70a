// Auditors' views: the metadata export and the audit log of a time range.
import { $, el, formatTime, download } from './dom.js';

export class ExportsView {
  constructor(api) {
    this.api = api;
    this.metadata = null;
    this.audit = null;
  }

  async loadMetadata() {
    this.metadata = await this.api.get('/export/metadata');
    const c = this.metadata.counts;
    $('metadata-counts').textContent = `Exported ${formatTime(this.metadata.exportedAt)}: `
      + `${c.keyRings} key rings, ${c.keys} keys, ${c.versions} versions, ${c.wrappingKeys} wrapping keys.`;
    const pre = $('metadata-json');
    pre.textContent = JSON.stringify(this.metadata, null, 2);
    pre.hidden = false;
    $('metadata-download').disabled = false;
  }

  downloadMetadata() {
    download(`tresor-metadata-${this.api.session.projectId}.json`, this.metadata);
  }

  async loadAudit() {
    const query = new URLSearchParams();
    for (const [name, id] of [['from', 'audit-from'], ['to', 'audit-to']]) {
      const value = $(id).value;
      if (value) {
        query.set(name, `${value.length === 16 ? `${value}:00` : value}Z`);
      }
    }
    const from = query.get('from');
    const to = query.get('to');
    if (from && to && from >= to) {
      throw new Error('"From" must be before "To".');
    }
    this.audit = await this.api.get(`/export/audit${query.size ? `?${query}` : ''}`);
    const records = this.audit.records;
    $('audit-summary').textContent = `${records.length} record${records.length === 1 ? '' : 's'}`
      + ` from ${from ? formatTime(from) : 'the beginning'} to ${to ? formatTime(to) : 'now'}.`;
    $('audit-rows').replaceChildren(...records.map(r => el('tr', { title: Object.keys(r.details).length ? JSON.stringify(r.details) : undefined },
      el('td', {}, String(r.sequence)),
      el('td', { className: 'nowrap' }, formatTime(r.time)),
      el('td', { className: 'mono' }, String(r.principal)),
      el('td', {}, String(r.operation)),
      el('td', { className: 'mono wrap' }, r.resource ? String(r.resource) : '–'),
      el('td', {}, el('span', { className: `badge result-${r.result === 'ok' ? 'ok' : 'other'}` }, String(r.result))))));
    $('audit-table').hidden = false;
    $('audit-download').disabled = false;
  }

  downloadAudit() {
    download(`tresor-audit-${this.api.session.projectId}.json`, this.audit);
  }
}
