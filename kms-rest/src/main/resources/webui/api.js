// The REST API as the signed-in user sees it. The token lives in this tab's sessionStorage only.
const SESSION_KEY = 'tresor.session';

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

export function loadSession() {
  const stored = sessionStorage.getItem(SESSION_KEY);
  if (!stored) {
    return null;
  }
  try {
    const session = JSON.parse(stored);
    return session.token && session.projectId && session.regionId ? session : null;
  } catch {
    return null;
  }
}

export function saveSession(session) {
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
}

export function clearSession() {
  sessionStorage.removeItem(SESSION_KEY);
}

export class Api {
  /**
   * onBudget receives RateLimit-Remaining and RateLimit-Limit of every answer that carries them;
   * onUnauthenticated the message of a 401 (an unknown, revoked or expired token).
   */
  constructor(session, { onBudget, onUnauthenticated }) {
    this.session = session;
    this.onBudget = onBudget;
    this.onUnauthenticated = onUnauthenticated;
    this.prefix = `/v1/projects/${encodeURIComponent(session.projectId)}/regions/${encodeURIComponent(session.regionId)}`;
  }

  async call(method, path, body) {
    const headers = { Authorization: `Bearer ${this.session.token}` };
    const init = { method, headers, cache: 'no-store', credentials: 'omit', redirect: 'error' };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(this.prefix + path, init);
    } catch {
      throw new ApiError(0, 'the server could not be reached');
    }
    const remaining = response.headers.get('RateLimit-Remaining');
    if (remaining !== null) {
      this.onBudget(Number(remaining), response.headers.get('RateLimit-Limit'));
    }
    const text = await response.text();
    const json = text ? parseJson(text) : null;
    if (!response.ok) {
      const message = json && typeof json.message === 'string' ? json.message : `HTTP ${response.status}`;
      if (response.status === 401) {
        this.onUnauthenticated(message);
      }
      const retry = response.headers.get('Retry-After');
      throw new ApiError(response.status, retry ? `${message} (retry in ${retry} s)` : message);
    }
    return json;
  }

  get(path) { return this.call('GET', path); }
  post(path, body) { return this.call('POST', path, body); }
  delete(path) { return this.call('DELETE', path); }

  ring(ringId) { return `/keyrings/${encodeURIComponent(ringId)}`; }
  key(ringId, keyId) { return `${this.ring(ringId)}/keys/${encodeURIComponent(keyId)}`; }
  version(ringId, keyId, number) { return `${this.key(ringId, keyId)}/versions/${number}`; }
}

function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** Base64 of the UTF-8 bytes of a string, and back (invalid UTF-8 shows replacement characters). */
export function textToBase64(text) {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) {
    binary += String.fromCharCode(byte);
  }
  return btoa(binary);
}

export function base64ToText(base64) {
  const binary = atob(base64);
  const bytes = Uint8Array.from(binary, c => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}
