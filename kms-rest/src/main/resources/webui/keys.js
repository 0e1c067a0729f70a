// Key rings, their keys and each key's versions, with the lifecycle actions the API offers.
import { $, el, stateBadge, formatTime, notify, busy } from './dom.js';

/** The purpose/algorithm pairs CreateKey accepts (docs/rest-api.md, Algorithms). */
export const ALGORITHMS = {
  symmetric_encrypt_decrypt: ['aes_256_gcm'],
  asymmetric_encrypt_decrypt: ['rsa_2048_oaep_sha256', 'rsa_3072_oaep_sha256', 'rsa_4096_oaep_sha256', 'rsa_4096_oaep_sha512'],
  message_authentication_code: ['hmac_sha256', 'hmac_sha384', 'hmac_sha512'],
  asymmetric_sign_verify: ['ecdsa_p256_sha256', 'ecdsa_p384_sha384', 'ecdsa_p521_sha512',
    'rsa_2048_pss_sha256', 'rsa_3072_pss_sha256', 'rsa_4096_pss_sha256',
    'rsa_2048_pkcs1_sha256', 'rsa_3072_pkcs1_sha256', 'rsa_4096_pkcs1_sha256'],
};

/** Which version actions each version state allows. */
const VERSION_ACTIONS = {
  active: ['disable', 'destroy'],
  disabled: ['enable', 'destroy'],
  destroyed: ['restore'],
  key_material_invalid: [],
};

export class KeysView {
  constructor(api, tryIt) {
    this.api = api;
    this.tryIt = tryIt;
    this.ring = null;
    this.key = null;
    this.fillPurposes();
    $('key-purpose').addEventListener('change', () => this.fillAlgorithms());
    $('rings-refresh').addEventListener('click', e => busy(e.target, () => this.loadRings()));
    $('ring-form').addEventListener('submit', e => { e.preventDefault(); busy(e.submitter, () => this.createRing()); });
    $('ring-delete').addEventListener('click', e => busy(e.target, () => this.deleteRing()));
    $('key-form').addEventListener('submit', e => { e.preventDefault(); busy(e.submitter, () => this.createKey()); });
    $('key-rotate').addEventListener('click', e => busy(e.target, () => this.keyAction('rotate')));
    $('key-delete').addEventListener('click', e => busy(e.target, () => this.deleteKey()));
    $('key-restore').addEventListener('click', e => busy(e.target, () => this.keyAction('restore')));
  }

  fillPurposes() {
    $('key-purpose').replaceChildren(...Object.keys(ALGORITHMS).map(p => el('option', { value: p }, p)));
    this.fillAlgorithms();
  }

  fillAlgorithms() {
    const algorithms = ALGORITHMS[$('key-purpose').value];
    $('key-algorithm').replaceChildren(...algorithms.map(a => el('option', { value: a }, a)));
  }

  async loadRings() {
    const { keyRings } = await this.api.get('/keyrings');
    const list = $('ring-list');
    if (keyRings.length === 0) {
      list.replaceChildren(el('li', { className: 'muted' }, 'No key rings yet.'));
    } else {
      list.replaceChildren(...keyRings.map(ring => el('li', {},
        el('button', {
          type: 'button',
          className: this.ring && this.ring.id === ring.id ? 'item selected' : 'item',
          title: ring.description || ring.id,
          onclick: () => busy(null, () => this.openRing(ring)),
        }, ring.displayName))));
    }
    if (this.ring && !keyRings.some(r => r.id === this.ring.id)) {
      this.closeRing();
    }
  }

  async openRing(ring) {
    this.ring = ring;
    this.closeKey();
    $('ring-title').textContent = `Keys in ${ring.displayName}`;
    $('ring-delete').hidden = false;
    $('ring-empty').hidden = true;
    $('ring-body').hidden = false;
    await Promise.all([this.loadRings(), this.loadKeys()]);
  }

  closeRing() {
    this.ring = null;
    this.closeKey();
    $('ring-title').textContent = 'Keys';
    $('ring-delete').hidden = true;
    $('ring-empty').hidden = false;
    $('ring-body').hidden = true;
  }

  async createRing() {
    const description = $('ring-description').value.trim();
    const ring = await this.api.post('/keyrings', {
      displayName: $('ring-name').value.trim(),
      ...(description ? { description } : {}),
    });
    $('ring-form').reset();
    notify(`Key ring ${ring.displayName} created.`, 'ok');
    await this.openRing(ring);
  }

  async deleteRing() {
    if (!confirm(`Delete key ring ${this.ring.displayName}? Only an empty ring can be deleted.`)) {
      return;
    }
    await this.api.delete(this.api.ring(this.ring.id));
    notify(`Key ring ${this.ring.displayName} deleted.`, 'ok');
    this.closeRing();
    await this.loadRings();
  }

  async loadKeys() {
    const { keys } = await this.api.get(`${this.api.ring(this.ring.id)}/keys`);
    const rows = keys.map(key => el('tr', { className: this.key && this.key.id === key.id ? 'selected' : '' },
      el('td', { className: 'nowrap', title: key.description || key.id }, key.displayName),
      el('td', {}, stateBadge(key.state)),
      el('td', { className: 'mono' }, key.algorithm),
      el('td', { className: 'mono' }, key.purpose),
      el('td', { className: 'nowrap', title: key.deletionDate ? formatTime(key.deletionDate) : undefined },
        key.deletionDate ? key.deletionDate.slice(0, 10) : '–'),
      el('td', { className: 'right' }, el('button', {
        type: 'button', className: 'small', onclick: () => busy(null, () => this.openKey(key)),
      }, 'Open'))));
    $('key-rows').replaceChildren(...(rows.length ? rows
      : [el('tr', {}, el('td', { colspan: 6, className: 'muted' }, 'No keys in this ring yet.'))]));
    if (this.key) {
      const current = keys.find(k => k.id === this.key.id);
      if (current) {
        await this.showKey(current);
      } else {
        this.closeKey();
      }
    }
  }

  async createKey() {
    const description = $('key-description').value.trim();
    const key = await this.api.post(`${this.api.ring(this.ring.id)}/keys`, {
      displayName: $('key-name').value.trim(),
      ...(description ? { description } : {}),
      purpose: $('key-purpose').value,
      algorithm: $('key-algorithm').value,
      protection: 'software',
    });
    $('key-name').value = '';
    $('key-description').value = '';
    notify(`Key ${key.displayName} created.`, 'ok');
    await this.openKey(key);
  }

  async openKey(key) {
    this.key = key;
    await this.loadKeys();
  }

  closeKey() {
    this.key = null;
    $('key-panel').hidden = true;
  }

  async showKey(key) {
    this.key = key;
    $('key-panel').hidden = false;
    $('key-title').textContent = `Key ${key.displayName}`;
    $('key-facts').replaceChildren(stateBadge(key.state), ` ${key.algorithm} · ${key.purpose} · id ${key.id}`,
      key.deletionDate ? ` · deleted on ${formatTime(key.deletionDate)} unless restored` : '',
      key.importOnly ? ' · import only' : '');
    $('key-rotate').hidden = key.state === 'deleted' || key.importOnly;
    $('key-delete').hidden = key.state === 'deleted';
    $('key-restore').hidden = key.state !== 'deleted';
    await this.loadVersions();
  }

  async keyAction(action) {
    await this.api.post(`${this.api.key(this.ring.id, this.key.id)}/${action}`);
    notify(action === 'rotate' ? `Key ${this.key.displayName} rotated.` : `Key ${this.key.displayName} restored.`, 'ok');
    await this.loadKeys();
  }

  async deleteKey() {
    if (!confirm(`Schedule key ${this.key.displayName} for deletion? It can be restored for 30 days.`)) {
      return;
    }
    await this.api.delete(this.api.key(this.ring.id, this.key.id));
    notify(`Key ${this.key.displayName} scheduled for deletion.`, 'ok');
    await this.loadKeys();
  }

  async loadVersions() {
    const { versions } = await this.api.get(`${this.api.key(this.ring.id, this.key.id)}/versions`);
    versions.sort((a, b) => b.number - a.number);
    $('version-rows').replaceChildren(...versions.map(version => el('tr', {},
      el('td', {}, String(version.number)),
      el('td', {}, stateBadge(version.state)),
      el('td', {}, formatTime(version.createdAt)),
      el('td', {}, version.destroyDate ? formatTime(version.destroyDate) : '–'),
      el('td', {}, version.publicKey ? el('button', {
        type: 'button', className: 'small', onclick: () => copy(version.publicKey),
      }, 'Copy PEM') : el('span', { className: 'muted' }, '–')),
      el('td', { className: 'right' }, ...this.versionActions(version).map(action => el('button', {
        type: 'button',
        className: action === 'destroy' ? 'small danger' : 'small',
        onclick: e => busy(e.target, () => this.versionAction(version, action)),
      }, action))))));
    this.tryIt.show(this.api, this.ring, this.key, versions);
  }

  /** A key scheduled for deletion refuses version changes until it is restored. */
  versionActions(version) {
    return this.key.state === 'deleted' ? [] : VERSION_ACTIONS[version.state];
  }

  async versionAction(version, action) {
    if (action === 'destroy' && !confirm(`Destroy version ${version.number}? Its material is erased after 30 days unless restored.`)) {
      return;
    }
    await this.api.post(`${this.api.version(this.ring.id, this.key.id, version.number)}/${action}`);
    notify(`Version ${version.number}: ${action} done.`, 'ok');
    await this.loadVersions();
  }
}

async function copy(text) {
  try {
    await navigator.clipboard.writeText(text);
    notify('Public key copied to the clipboard.', 'ok');
  } catch {
    notify('The browser refused clipboard access; the page needs HTTPS or localhost.');
  }
}
