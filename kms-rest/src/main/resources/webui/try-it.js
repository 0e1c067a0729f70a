// Encrypt/decrypt or sign/verify a short text with one version of the open key.
import { $, el, busy } from './dom.js';
import { textToBase64, base64ToText } from './api.js';

const MODES = {
  symmetric_encrypt_decrypt: 'encrypt',
  asymmetric_encrypt_decrypt: 'encrypt',
  message_authentication_code: 'sign',
  asymmetric_sign_verify: 'sign',
};

export class TryIt {
  constructor() {
    this.context = null;
    $('try-first').addEventListener('click', e => busy(e.target, () => this.run(true)));
    $('try-second').addEventListener('click', e => busy(e.target, () => this.run(false)));
  }

  show(api, ring, key, versions) {
    const mode = MODES[key.purpose];
    this.context = { api, ring, key, mode };
    const usable = versions.filter(v => v.state === 'active');
    $('try-version').replaceChildren(...(usable.length
      ? usable.map(v => el('option', { value: String(v.number) }, `version ${v.number}`))
      : [el('option', { value: '' }, 'no active version')]));
    const encrypting = mode === 'encrypt';
    $('try-mode').textContent = encrypting
      ? 'Encrypt text to a ciphertext, or decrypt a ciphertext of this version back to text.'
      : 'Sign text (MAC or signature), or verify a signature of the text.';
    $('try-first').textContent = encrypting ? 'Encrypt text' : 'Sign text';
    $('try-second').textContent = encrypting ? 'Decrypt ciphertext' : 'Verify signature';
    $('try-extra-label').firstChild.textContent = encrypting ? 'Ciphertext (base64) ' : 'Signature (base64) ';
    $('try-output').textContent = '';
  }

  async run(first) {
    const { api, ring, key, mode } = this.context;
    const number = $('try-version').value;
    if (!number) {
      throw new Error('This key has no active version to try.');
    }
    const path = api.version(ring.id, key.id, number);
    const text = $('try-input').value;
    const extra = $('try-extra').value.trim();
    const output = $('try-output');
    output.className = 'output';
    if (mode === 'encrypt' && first) {
      const { data } = await api.post(`${path}/encrypt`, { data: textToBase64(text) });
      $('try-extra').value = data;
      output.textContent = `Encrypted with version ${number}; the ciphertext is in the box above.`;
    } else if (mode === 'encrypt') {
      const { data } = await api.post(`${path}/decrypt`, { data: requireValue(extra, 'a ciphertext') });
      output.textContent = `Decrypted: ${base64ToText(data)}`;
    } else if (first) {
      const { signature } = await api.post(`${path}/sign`, { data: textToBase64(text) });
      $('try-extra').value = signature;
      output.textContent = `Signed with version ${number}; the signature is in the box above.`;
    } else {
      const { valid } = await api.post(`${path}/verify`, {
        data: textToBase64(text), signature: requireValue(extra, 'a signature'),
      });
      output.className = valid ? 'output good' : 'output bad';
      output.textContent = valid ? 'The signature is valid for this text.' : 'The signature does NOT match this text.';
    }
  }
}

function requireValue(value, what) {
  if (!value) {
    throw new Error(`Paste ${what} (base64) into the second box first.`);
  }
  return value;
}
