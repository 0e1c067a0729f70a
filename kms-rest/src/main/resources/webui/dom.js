// Small DOM helpers: elements built from data never go through innerHTML.
export const $ = id => document.getElementById(id);

export function el(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === 'onclick') {
      element.addEventListener('click', value);
    } else if (name === 'className') {
      element.className = value;
    } else if (value !== false && value !== undefined && value !== null) {
      element.setAttribute(name, value === true ? '' : value);
    }
  }
  element.append(...children.filter(c => c !== null && c !== undefined));
  return element;
}

export function stateBadge(state) {
  return el('span', { className: `badge state-${state}` }, state);
}

export function formatTime(iso) {
  if (!iso) {
    return '–';
  }
  return iso.replace('T', ' ').replace(/\.\d+/, '').replace('Z', ' UTC');
}

let noticeTimer;

/** Shows a message above the page: errors stay until dismissed, confirmations fade. */
export function notify(message, kind = 'error') {
  const notice = $('notice');
  $('notice-text').textContent = message;
  notice.className = `notice ${kind}`;
  notice.hidden = false;
  clearTimeout(noticeTimer);
  if (kind !== 'error') {
    noticeTimer = setTimeout(() => { notice.hidden = true; }, 4000);
  }
}

export function clearNotice() {
  $('notice').hidden = true;
}

/** Runs an action from a button, disabling it meanwhile and reporting a failure. */
export async function busy(button, action) {
  if (button) {
    button.disabled = true;
  }
  if (!$('notice').classList.contains('ok')) {
    clearNotice();
  }
  try {
    return await action();
  } catch (error) {
    notify(error.status ? `${error.status}: ${error.message}` : error.message);
    return undefined;
  } finally {
    if (button) {
      button.disabled = false;
    }
  }
}

/** Offers a JSON document as a file download. */
export function download(name, value) {
  const url = URL.createObjectURL(new Blob([JSON.stringify(value, null, 2)], { type: 'application/json' }));
  const link = el('a', { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
