// Entry point: sign-in, the session bar, tabs, and wiring of the views.
import { $, notify, clearNotice, busy } from './dom.js';
import { Api, loadSession, saveSession, clearSession } from './api.js';
import { KeysView } from './keys.js';
import { TryIt } from './try-it.js';
import { ExportsView } from './exports.js';

const tryIt = new TryIt();
let keys = null;
let exportsView = null;

function showBudget(remaining, limit) {
  const budget = $('budget');
  budget.textContent = `budget: ${remaining.toLocaleString('en')}${limit ? ` / ${Number(limit).toLocaleString('en')}` : ''} calls left this hour`;
  budget.classList.toggle('low', limit ? remaining < Number(limit) / 10 : false);
}

const SIGN_OUT_REASON = 'tresor.signOutReason';
let signedIn = false;

/** A 401 after sign-in means the token was revoked or expired: back to the sign-in form. */
function onUnauthenticated(message) {
  if (signedIn) {
    sessionStorage.setItem(SIGN_OUT_REASON, `Signed out: ${message}`);
    signOut();
  }
}

async function enter(session) {
  const api = new Api(session, { onBudget: showBudget, onUnauthenticated });
  await api.get('/keyrings');
  signedIn = true;
  saveSession(session);
  $('session-project').textContent = `project ${session.projectId}`;
  $('session-region').textContent = session.regionId;
  $('sign-in').hidden = true;
  $('session').hidden = false;
  $('workspace').hidden = false;
  keys = new KeysView(api, tryIt);
  exportsView = new ExportsView(api);
  await keys.loadRings();
}

/** Forgets the token and starts the page afresh, so no view keeps the old session. */
function signOut() {
  clearSession();
  window.location.reload();
}

$('sign-in-form').addEventListener('submit', event => {
  event.preventDefault();
  clearNotice();
  const session = {
    token: $('token').value.trim(),
    projectId: $('project').value.trim(),
    regionId: $('region').value.trim(),
  };
  busy(event.submitter, async () => {
    try {
      await enter(session);
    } catch (error) {
      clearSession();
      throw error;
    }
  });
});

$('sign-out').addEventListener('click', signOut);
$('notice-close').addEventListener('click', clearNotice);

for (const tab of document.querySelectorAll('.tab')) {
  tab.addEventListener('click', () => {
    for (const other of document.querySelectorAll('.tab')) {
      other.classList.toggle('active', other === tab);
      $(other.dataset.tab).hidden = other !== tab;
    }
  });
}

$('metadata-load').addEventListener('click', e => busy(e.target, () => exportsView.loadMetadata()));
$('metadata-download').addEventListener('click', () => exportsView.downloadMetadata());
$('audit-form').addEventListener('submit', e => { e.preventDefault(); busy(e.submitter, () => exportsView.loadAudit()); });
$('audit-download').addEventListener('click', () => exportsView.downloadAudit());

const reason = sessionStorage.getItem(SIGN_OUT_REASON);
if (reason) {
  sessionStorage.removeItem(SIGN_OUT_REASON);
  notify(reason);
}
const stored = loadSession();
if (stored) {
  busy(null, () => enter(stored));
}
