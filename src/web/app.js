// @ts-check
/**
 * Reelflow's page: start a video, follow it live, review its script, watch and download it,
 * retry, revise or delete it. One ES module on the browser's own APIs (fetch, streams, the DOM), served
 * as written: docs/web-page.md says why there is no framework and no build step.
 *
 * Everything goes through the same HTTP API as every other client. When the API needs a key, the
 * page asks for it once, keeps it in this tab's sessionStorage and sends it as a header; it never
 * puts it in a URL, so media is then fetched into blob URLs rather than linked.
 */

/**
 * @typedef {{ index: number, title: string, narration: string, clip: string, durationSec?: number, reused?: string[] }} SceneState
 * @typedef {{ activity: string, attempt: number, lastError?: { type: string, message: string }, nextAttemptAt?: string }} Retry
 * @typedef {{
 *   id: string, status: string, stage: string, progress: number, title?: string, scenes: SceneState[],
 *   spend: { credits: number, reusedSteps?: number }, retries?: Retry[], stale?: boolean,
 *   result?: { videoUrl: string, durationSec: number, bytes: number },
 *   error?: { type: string, message: string, stage: string },
 *   createdAt: string, updatedAt: string, webUiUrl: string, retryOf?: string, revisionOf?: string, reviewDeadline?: string
 * }} VideoStatus
 * @typedef {{ id: string, title: string | null, status: string, stage: string, progress: number, createdAt: string, retryOf?: string }} ListItem
 * @typedef {{ index: number, title: string, narration: string, visual?: string }} Scene
 * @typedef {{ title: string, scenes: Scene[] }} Script
 */

const KEY_STORAGE = 'reelflow.apiKey';
const main = /** @type {HTMLElement} */ (document.getElementById('main'));
const announcer = /** @type {HTMLElement} */ (document.getElementById('announcer'));
const TERMINAL = ['completed', 'failed', 'cancelled'];

/** Work to undo when the view changes: open streams, timers, blob URLs. */
/** @type {(() => void)[]} */
let teardown = [];

class ApiError extends Error {
  /** @param {number} status @param {string} code @param {string} message @param {number} [retryAfterSec] */
  constructor(status, code, message, retryAfterSec) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryAfterSec = retryAfterSec;
  }
}

// ---------------------------------------------------------------- the API

const apiKey = () => sessionStorage.getItem(KEY_STORAGE) ?? '';

/**
 * Sends a request to the API with the key, if one was given; resolves only to a 2xx response.
 * @param {string} method @param {string} path
 * @param {{ body?: unknown, headers?: Record<string, string>, signal?: AbortSignal }} [options]
 */
async function api(method, path, options = {}) {
  /** @type {Record<string, string>} */
  const headers = { ...options.headers };
  if (apiKey()) headers.authorization = `Bearer ${apiKey()}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: options.signal,
  });
  if (res.ok) return res;
  let code = 'http_error';
  let message = `${res.status} ${res.statusText}`;
  try {
    const parsed = await res.json();
    code = parsed?.error?.code ?? code;
    message = parsed?.error?.message ?? message;
  } catch {
    // Not a JSON error (a proxy's page): the status line is the message.
  }
  throw new ApiError(res.status, code, message, Number(res.headers.get('retry-after')) || undefined);
}

/** @param {string} method @param {string} path @param {{ body?: unknown, headers?: Record<string, string> }} [options] */
async function apiJson(method, path, options) {
  const res = await api(method, path, options);
  return res.status === 204 ? undefined : res.json();
}

const videoPath = (/** @type {string} */ id, suffix = '') => `/api/videos/${encodeURIComponent(id)}${suffix}`;

/**
 * A URL the browser can load for a media file of the API. With an open API that is the file's
 * own URL (the player can seek with Range requests); with a key it is a blob URL of the file,
 * fetched with the key in a header, and revoked when the view changes.
 * @param {string} path
 */
async function mediaUrl(path) {
  if (!apiKey()) return path;
  const res = await api('GET', path);
  const url = URL.createObjectURL(await res.blob());
  teardown.push(() => URL.revokeObjectURL(url));
  return url;
}

// ---------------------------------------------------------------- small DOM helpers

/**
 * Creates an element. Children are nodes or text, never HTML, so nothing from the API is parsed.
 * @param {string} tag @param {Record<string, string | boolean | number | undefined>} [attrs]
 * @param {...(Node | string | null | undefined | false)} children
 */
function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

/** @param {...(Node | string | null | undefined | false)} nodes */
function show(...nodes) {
  main.replaceChildren(...nodes.filter((n) => n !== null && n !== undefined && n !== false).map((n) => /** @type {Node | string} */ (n)));
}

/** Says `text` to screen readers, through the page's live region. */
function announce(/** @type {string} */ text) {
  announcer.textContent = text;
}

const when = (/** @type {string} */ iso) => new Date(iso).toLocaleString();
const clock = (/** @type {number} */ sec) => `${Math.floor(sec / 60)}:${String(Math.floor(sec % 60)).padStart(2, '0')}`;
const stageName = (/** @type {string} */ stage) => stage.replace(/_/g, ' ');

/** @param {string} status */
const badge = (status) => h('span', { class: `badge ${status}` }, status);

/** @param {number} value @param {string} label */
const progressBar = (value, label) => h('progress', { max: 100, value, 'aria-label': label }, `${value}%`);

/** A message for an error, in a box screen readers announce. @param {unknown} err */
function errorBox(err) {
  const message = err instanceof Error ? err.message : String(err);
  return h('div', { class: 'error', role: 'alert' }, message);
}

/** @param {number} ms @param {AbortSignal} [signal] */
const sleep = (ms, signal) =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), resolve(undefined)), { once: true });
  });

// ---------------------------------------------------------------- views

/** Shows the view the address names; run on load and on every hash change. */
async function route() {
  for (const undo of teardown.splice(0)) undo();
  const hash = location.hash || '#/';
  const video = /^#\/videos\/([A-Za-z0-9][A-Za-z0-9_-]{0,127})$/.exec(hash);
  try {
    if (video?.[1]) await videoView(video[1]);
    else if (hash === '#/new') newVideoView();
    else await listView();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return keyView(err.message);
    document.title = 'Reelflow';
    show(h('h1', { tabindex: -1 }, 'Something went wrong'), errorBox(err), h('p', {}, h('a', { href: '#/' }, 'Back to your videos')));
  }
  main.querySelector('h1')?.focus();
}

/** Asks for the API key, once the API said it needs one. @param {string} message */
function keyView(message) {
  document.title = 'API key · Reelflow';
  const hadKey = Boolean(apiKey());
  sessionStorage.removeItem(KEY_STORAGE);
  const input = h('input', { id: 'api-key', type: 'password', autocomplete: 'off', required: true, spellcheck: 'false' });
  const form = h(
    'form',
    {},
    h('label', { for: 'api-key' }, 'API key'),
    input,
    h('p', { class: 'hint' }, 'Kept in this browser tab only, and sent as an Authorization header.'),
    h('button', { type: 'submit' }, 'Use this key'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    sessionStorage.setItem(KEY_STORAGE, /** @type {HTMLInputElement} */ (input).value.trim());
    void route();
  });
  show(
    h('h1', { tabindex: -1 }, 'This Reelflow needs an API key'),
    hadKey ? h('div', { class: 'error', role: 'alert' }, `The key was not accepted: ${message}`) : null,
    form,
  );
  input.focus();
}

/** The caller's videos, newest first, refreshed while the view is open. */
async function listView() {
  document.title = 'Your videos · Reelflow';
  const list = h('ul', { class: 'videos' });
  const moreButton = h('button', { type: 'button', class: 'secondary', hidden: true }, 'Show more');
  const empty = h('p', { class: 'muted', hidden: true }, 'No videos yet.');
  /** @type {string | null} */
  let cursor = null;
  let pages = 1;
  /** @type {Map<string, HTMLElement>} */
  const rowCache = new Map();

  /** @param {boolean} append */
  async function load(append) {
    const query = append && cursor ? `?limit=20&cursor=${encodeURIComponent(cursor)}` : `?limit=${20 * pages}`;
    const page = /** @type {{ items: ListItem[], nextCursor: string | null }} */ (await apiJson('GET', `/api/videos${query}`));
    // Rows whose video has not changed are kept as they are, thumbnail and length included.
    const rows = await Promise.all(
      page.items.map(async (item) => {
        const key = JSON.stringify([item.id, item.title, item.status, item.stage, item.progress]);
        const row = rowCache.get(key) ?? (await listRow(item));
        rowCache.set(key, row);
        return row;
      }),
    );
    if (append) list.append(...rows);
    else list.replaceChildren(...rows);
    cursor = page.nextCursor;
    moreButton.hidden = !cursor;
    empty.hidden = list.childElementCount > 0;
  }
  moreButton.addEventListener('click', () => {
    pages += 1;
    void load(true).catch((err) => moreButton.after(errorBox(err)));
  });

  await load(false);
  show(
    h('h1', { tabindex: -1 }, 'Your videos'),
    h('p', {}, h('a', { class: 'button', href: '#/new' }, 'New video')),
    empty,
    list,
    moreButton,
  );
  // Progress in the list follows the runs; a video's own page follows them live.
  const timer = setInterval(() => void load(false).catch(() => undefined), 5000);
  teardown.push(() => clearInterval(timer));
}

/** Lengths of completed videos, by id, which list items do not carry. @type {Map<string, number>} */
const durations = new Map();

/** One video in the list. @param {ListItem} item */
async function listRow(item) {
  const title = item.title ?? 'Untitled video';
  const thumb =
    item.status === 'completed'
      ? h('img', { class: 'thumb', alt: '', src: await mediaUrl(videoPath(item.id, '/thumbnail')).catch(() => undefined) })
      : h('div', { class: 'thumb', 'aria-hidden': 'true' });
  const duration = h('span', {});
  if (item.status === 'completed') {
    // A completed video's length never changes: one status read per video and page load.
    const known = durations.get(item.id);
    if (known !== undefined) duration.textContent = `${clock(known)} long`;
    else {
      void apiJson('GET', videoPath(item.id))
        .then((/** @type {VideoStatus} */ s) => {
          if (!s.result) return;
          durations.set(item.id, s.result.durationSec);
          duration.textContent = `${clock(s.result.durationSec)} long`;
        })
        .catch(() => undefined);
    }
  }
  return h(
    'li',
    {},
    thumb,
    h(
      'div',
      {},
      h('h2', {}, h('a', { href: `#/videos/${item.id}` }, title)),
      h('div', { class: 'meta' }, badge(item.status), h('span', {}, stageName(item.stage)), h('span', {}, when(item.createdAt)), duration),
      item.status === 'completed' ? null : progressBar(item.progress, `Progress of ${title}`),
    ),
  );
}

/** The form that starts a video, with every option the API takes. */
function newVideoView() {
  document.title = 'New video · Reelflow';
  const field = (
    /** @type {string} */ id,
    /** @type {string} */ label,
    /** @type {HTMLElement} */ input,
    /** @type {string} */ hint = '',
  ) => h('div', {}, h('label', { for: id }, label), input, hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null);
  const input = (/** @type {string} */ id, /** @type {Record<string, string | number | boolean>} */ attrs = {}) =>
    h('input', { id, name: id, type: 'text', ...attrs });

  const pubmed = h('input', { type: 'radio', name: 'source', value: 'pubmed', id: 'source-pubmed', checked: true });
  const text = h('input', { type: 'radio', name: 'source', value: 'text', id: 'source-text' });
  const pubmedFields = h(
    'div',
    {},
    field(
      'pmid',
      'PubMed id',
      input('pmid', { inputmode: 'numeric', pattern: '[1-9][0-9]{0,8}', required: true }),
      'The number in the paper’s PubMed address, e.g. 31452104.',
    ),
  );
  const textFields = h(
    'div',
    { hidden: true },
    field('title', 'Title', input('title', { maxlength: 300 })),
    field('text', 'Text', h('textarea', { id: 'text', name: 'text', maxlength: 50000, rows: 8 }), 'Paragraphs become scenes.'),
  );
  const setSource = () => {
    const isText = /** @type {HTMLInputElement} */ (text).checked;
    pubmedFields.hidden = isText;
    textFields.hidden = !isText;
    for (const el of pubmedFields.querySelectorAll('input')) el.required = !isText;
    for (const el of textFields.querySelectorAll('input, textarea')) /** @type {HTMLInputElement} */ (el).required = isText;
  };
  pubmed.addEventListener('change', setSource);
  text.addEventListener('change', setSource);

  const number = (/** @type {string} */ id, /** @type {number} */ min, /** @type {number} */ max) =>
    input(id, { type: 'number', min, max, step: id === 'maxCredits' ? 'any' : 1, inputmode: 'numeric' });
  const review = h('input', { type: 'checkbox', id: 'review', name: 'review' });
  const burn = h('input', { type: 'checkbox', id: 'burnCaptions', name: 'burnCaptions' });
  const preset = h(
    'select',
    { id: 'preset', name: 'preset' },
    h('option', { value: '' }, 'Landscape 720p (default)'),
    h('option', { value: '1080p' }, 'Landscape 1080p'),
    h('option', { value: 'vertical' }, 'Vertical 1080×1920, for phones'),
    h('option', { value: 'square' }, 'Square 1080×1080'),
  );
  const status = h('div', {});
  const submit = h('button', { type: 'submit' }, 'Start the video');
  const form = h(
    'form',
    { novalidate: false },
    h(
      'fieldset',
      {},
      h('legend', {}, 'Source'),
      h('label', { class: 'choice', for: 'source-pubmed' }, pubmed, 'A PubMed paper'),
      h('label', { class: 'choice', for: 'source-text' }, text, 'A title and text'),
      pubmedFields,
      textFields,
    ),
    h(
      'fieldset',
      {},
      h('legend', {}, 'Options'),
      h('label', { class: 'choice', for: 'review' }, review, 'Let me review the script before anything is narrated'),
      h('label', { class: 'choice', for: 'burnCaptions' }, burn, 'Draw the captions into the picture'),
      h(
        'div',
        { class: 'grid' },
        field('preset', 'Format', preset),
        field('reviewTimeoutSec', 'Review time limit (seconds)', number('reviewTimeoutSec', 10, 30 * 24 * 3600)),
        field('maxScenes', 'Most scenes', number('maxScenes', 2, 12)),
        field('voice', 'Voice', input('voice', { pattern: '[A-Za-z0-9+_-]{1,40}', placeholder: 'e.g. Kore or en-us' })),
        field('sceneConcurrency', 'Scenes made at once', number('sceneConcurrency', 1, 16)),
        field('maxCredits', 'Budget (provider credits)', number('maxCredits', 0, 1000000)),
      ),
      h('p', { class: 'hint' }, 'Leave a field empty for the service’s default.'),
    ),
    submit,
    status,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(/** @type {HTMLFormElement} */ (form));
    const value = (/** @type {string} */ name) => String(data.get(name) ?? '').trim();
    const source = /** @type {HTMLInputElement} */ (text).checked
      ? { type: 'text', title: value('title'), text: value('text') }
      : { type: 'pubmed', pmid: value('pmid') };
    /** @type {Record<string, unknown>} */
    const options = {};
    if (/** @type {HTMLInputElement} */ (review).checked) options.review = true;
    if (/** @type {HTMLInputElement} */ (burn).checked) options.burnCaptions = true;
    for (const name of ['reviewTimeoutSec', 'maxScenes', 'sceneConcurrency', 'maxCredits'])
      if (value(name)) options[name] = Number(value(name));
    if (value('voice')) options.voice = value('voice');
    if (value('preset')) options.preset = value('preset');
    submit.setAttribute('disabled', '');
    status.replaceChildren(h('p', { class: 'muted' }, 'Starting…'));
    // One key per submission: a repeated click or a retried request starts one video, not two.
    apiJson('POST', '/api/videos', { body: { source, options }, headers: { 'idempotency-key': crypto.randomUUID() } })
      .then((/** @type {VideoStatus} */ video) => {
        location.hash = `#/videos/${video.id}`;
      })
      .catch((err) => {
        submit.removeAttribute('disabled');
        if (err instanceof ApiError && err.status === 401) return keyView(err.message);
        status.replaceChildren(errorBox(err));
      });
  });
  show(h('h1', { tabindex: -1 }, 'New video'), form);
}

/** One video: live progress, review, player, downloads and actions. @param {string} id */
async function videoView(id) {
  let status = /** @type {VideoStatus} */ (await apiJson('GET', videoPath(id)));
  const heading = h('h1', { tabindex: -1 });
  const summary = h('div', { class: 'meta' });
  const bar = progressBar(0, 'Progress');
  const eta = h('p', { class: 'muted' });
  const notices = h('div', {});
  const reviewBox = h('section', { 'aria-labelledby': 'review-heading' });
  const revisionBox = h('section', { 'aria-labelledby': 'revision-heading' });
  const playerBox = h('section', {});
  const actions = h('div', { class: 'actions' });
  const actionStatus = h('div', {});
  const scenesBody = h('tbody', {});
  const scenes = h(
    'section',
    { 'aria-labelledby': 'scenes-heading' },
    h('h2', { id: 'scenes-heading' }, 'Scenes'),
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        {},
        h(
          'thead',
          {},
          h('tr', {}, ...['Scene', 'Title', 'Narration', 'Clip', 'Length', 'Reused'].map((t) => h('th', { scope: 'col' }, t))),
        ),
        scenesBody,
      ),
    ),
  );
  const links = h('p', {});
  let lastStage = '';

  const cancelButton = h('button', { type: 'button', class: 'secondary' }, 'Cancel');
  const retryButton = h('button', { type: 'button' }, 'Retry');
  const reviseButton = h('button', { type: 'button', class: 'secondary' }, 'Revise');
  const deleteButton = h('button', { type: 'button', class: 'danger' }, 'Delete');
  actions.append(cancelButton, retryButton, reviseButton, deleteButton);

  /** Runs an action with its button disabled, showing what went wrong. @param {HTMLElement} button @param {() => Promise<void>} fn */
  const act = (button, fn) => {
    button.setAttribute('disabled', '');
    actionStatus.replaceChildren();
    fn()
      .catch((err) => actionStatus.replaceChildren(errorBox(err)))
      .finally(() => button.removeAttribute('disabled'));
  };
  cancelButton.addEventListener('click', () =>
    act(cancelButton, async () => {
      if (!confirm('Cancel this video? What it has finished is kept, so a retry can go on from there.')) return;
      render(await apiJson('POST', videoPath(id, '/cancel')));
      announce('Cancel requested');
    }),
  );
  retryButton.addEventListener('click', () =>
    act(retryButton, async () => {
      const retried = /** @type {VideoStatus} */ (
        await apiJson('POST', videoPath(id, '/retry'), { headers: { 'idempotency-key': crypto.randomUUID() } })
      );
      announce('Retry started');
      location.hash = `#/videos/${retried.id}`;
    }),
  );
  reviseButton.addEventListener('click', () =>
    act(reviseButton, async () => {
      await showRevision(id, revisionBox);
      revisionBox.querySelector('h2')?.scrollIntoView();
    }),
  );
  deleteButton.addEventListener('click', () =>
    act(deleteButton, async () => {
      if (!confirm('Delete this video and its files? This cannot be undone.')) return;
      await deleteVideo(id);
      announce('Video deleted');
      location.hash = '#/';
    }),
  );

  /** Brings every part of the page up to `next`. @param {VideoStatus} next */
  function render(next) {
    status = next;
    const title = next.title ?? 'Untitled video';
    document.title = `${title} · Reelflow`;
    heading.textContent = title;
    summary.replaceChildren(
      badge(next.status),
      h('span', {}, `Stage: ${stageName(next.stage)}`),
      h('span', {}, `Started ${when(next.createdAt)}`),
      next.spend.credits > 0 ? h('span', {}, `Spent ${next.spend.credits} credits`) : '',
      next.retryOf ? h('span', {}, 'Retry of ', h('a', { href: `#/videos/${next.retryOf}` }, next.retryOf)) : '',
      next.revisionOf ? h('span', {}, 'Revision of ', h('a', { href: `#/videos/${next.revisionOf}` }, next.revisionOf)) : '',
      next.spend.reusedSteps ? h('span', {}, `${next.spend.reusedSteps} steps from the cache`) : '',
    );
    bar.setAttribute('value', String(next.progress));
    bar.setAttribute('aria-label', `Progress: ${next.progress}%, ${stageName(next.stage)}`);
    bar.textContent = `${next.progress}%`;
    eta.textContent = etaText(next);
    notices.replaceChildren(
      ...(next.stale ? [h('div', { class: 'notice' }, 'No worker is answering right now; this is what Temporal knows of the run.')] : []),
      ...(next.retries ?? []).map((r) =>
        h(
          'div',
          { class: 'notice' },
          `Retrying ${r.activity}: attempt ${r.attempt}`,
          r.lastError ? ` after ${r.lastError.type}: ${r.lastError.message}` : '',
          r.nextAttemptAt ? ` (next at ${new Date(r.nextAttemptAt).toLocaleTimeString()})` : '',
        ),
      ),
      ...(next.error
        ? [
            h(
              'div',
              { class: 'error', role: 'alert' },
              h('strong', {}, `Failed while ${stageName(next.error.stage)}: `),
              `${next.error.type}: ${next.error.message}`,
            ),
          ]
        : []),
    );
    scenesBody.replaceChildren(
      ...next.scenes.map((s) =>
        h(
          'tr',
          {},
          h('td', {}, String(s.index + 1)),
          h('td', {}, s.title),
          h('td', {}, s.narration),
          h('td', {}, s.clip),
          h('td', {}, s.durationSec === undefined ? '' : `${s.durationSec.toFixed(1)} s`),
          h('td', {}, s.reused ? s.reused.join(', ') : ''),
        ),
      ),
    );
    scenes.hidden = next.scenes.length === 0;
    cancelButton.hidden = TERMINAL.includes(next.status);
    retryButton.hidden = next.status !== 'failed' && next.status !== 'cancelled';
    // A revision starts from a written script, which only an ended run with scenes has.
    reviseButton.hidden = !TERMINAL.includes(next.status) || next.scenes.length === 0;
    links.replaceChildren(h('a', { href: next.webUiUrl, target: '_blank', rel: 'noopener' }, 'This run in the Temporal Web UI'));
    if (next.stage !== lastStage || TERMINAL.includes(next.status)) {
      if (lastStage) announce(TERMINAL.includes(next.status) ? `Video ${next.status}` : `Stage: ${stageName(next.stage)}`);
      lastStage = next.stage;
      if (next.stage === 'awaiting_review' && !TERMINAL.includes(next.status)) void showReview(id, next, reviewBox);
      else reviewBox.replaceChildren();
      if (next.status === 'completed' && !playerBox.hasChildNodes()) void showPlayer(id, playerBox);
    }
  }

  render(status);
  show(heading, summary, bar, eta, notices, reviewBox, playerBox, actions, actionStatus, revisionBox, scenes, links);
  if (!TERMINAL.includes(status.status)) {
    const stop = new AbortController();
    teardown.push(() => stop.abort());
    void followStatus(id, render, stop.signal);
  }
}

/** How long is left, from the pace so far; nothing while that says little. @param {VideoStatus} s */
function etaText(s) {
  if (TERMINAL.includes(s.status) || s.stage === 'awaiting_review' || s.progress < 5 || s.progress >= 100) return '';
  const elapsed = Date.now() - Date.parse(s.createdAt);
  const left = (elapsed * (100 - s.progress)) / s.progress / 1000;
  return left < 60 ? 'Less than a minute left (estimate)' : `About ${Math.round(left / 60)} min left (estimate)`;
}

/**
 * Follows a video's event stream (`GET …/events`) until its `end` event, reconnecting when the
 * stream drops. fetch rather than EventSource, so the key travels in a header.
 * @param {string} id @param {(s: VideoStatus) => void} onStatus @param {AbortSignal} signal
 */
async function followStatus(id, onStatus, signal) {
  while (!signal.aborted) {
    try {
      const res = await api('GET', videoPath(id, '/events'), { headers: { accept: 'text/event-stream' }, signal });
      if (!res.body) throw new Error('The event stream has no body');
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value.replace(/\r\n?/g, '\n');
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const event = parseEvent(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
          if ((event.type === 'status' || event.type === 'end') && event.data) onStatus(JSON.parse(event.data));
          if (event.type === 'end') return;
        }
      }
    } catch (err) {
      if (signal.aborted || (err instanceof ApiError && err.status < 500 && err.status !== 429)) return;
    }
    await sleep(2000, signal);
  }
}

/** One Server-Sent Event: its type and data lines. @param {string} block */
function parseEvent(block) {
  let type = 'message';
  const data = [];
  for (const line of block.split('\n')) {
    if (line.startsWith('event:')) type = line.slice(6).trim();
    else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
  }
  return { type, data: data.join('\n') };
}

/** DELETE, sent again while a cancelled video is still stopping (409 `still_stopping`). @param {string} id */
async function deleteVideo(id) {
  for (let attempt = 1; ; attempt++) {
    try {
      await api('DELETE', videoPath(id));
      return;
    } catch (err) {
      if (!(err instanceof ApiError) || err.code !== 'still_stopping' || attempt >= 6) throw err;
      await sleep((err.retryAfterSec ?? 5) * 1000);
    }
  }
}

/**
 * The script review: every scene's title, narration and visual, editable; save and approve.
 * @param {string} id @param {VideoStatus} status @param {HTMLElement} box
 */
async function showReview(id, status, box) {
  const script = /** @type {Script} */ (await apiJson('GET', videoPath(id, '/script')));
  let dirty = false;
  const editor = scriptEditor(script);
  const edited = editor.edited;
  const feedback = h('div', {});
  const save = h('button', { type: 'submit', class: 'secondary' }, 'Save changes');
  const approve = h('button', { type: 'button' }, 'Approve and continue');
  const form = h('form', {}, ...editor.fields, save, approve, feedback);
  form.addEventListener('input', () => {
    dirty = true;
  });
  const send = async () => {
    await apiJson('PUT', videoPath(id, '/script'), { body: edited() });
    dirty = false;
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    save.setAttribute('disabled', '');
    send()
      .then(() => {
        feedback.replaceChildren(h('p', { role: 'status' }, 'Saved.'));
      })
      .catch((err) => feedback.replaceChildren(errorBox(err)))
      .finally(() => save.removeAttribute('disabled'));
  });
  approve.addEventListener('click', () => {
    if (!(/** @type {HTMLFormElement} */ (form).reportValidity())) return;
    approve.setAttribute('disabled', '');
    (dirty ? send() : Promise.resolve())
      .then(() => apiJson('POST', videoPath(id, '/approve')))
      .then(() => {
        box.replaceChildren(h('p', { role: 'status' }, 'Approved: the video goes on.'));
      })
      .catch((err) => {
        approve.removeAttribute('disabled');
        feedback.replaceChildren(errorBox(err));
      });
  });
  box.replaceChildren(
    h('h2', { id: 'review-heading' }, 'Review the script'),
    h(
      'p',
      {},
      'Nothing is narrated or drawn until you approve.',
      status.reviewDeadline ? ` The video waits until ${when(status.reviewDeadline)}.` : '',
    ),
    form,
  );
}

/**
 * A revision of an ended video: its script, editable; sending it starts a new video in which only
 * the scenes whose words or visual changed are narrated and drawn again.
 * @param {string} id @param {HTMLElement} box
 */
async function showRevision(id, box) {
  const script = /** @type {Script} */ (await apiJson('GET', videoPath(id, '/script')));
  const editor = scriptEditor(script);
  const feedback = h('div', {});
  const send = h('button', { type: 'submit' }, 'Make the revised video');
  const form = h('form', {}, ...editor.fields, send, feedback);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    send.setAttribute('disabled', '');
    apiJson('POST', videoPath(id, '/revisions'), { body: { script: editor.edited() }, headers: { 'idempotency-key': crypto.randomUUID() } })
      .then((revised) => {
        announce('Revision started');
        location.hash = `#/videos/${/** @type {VideoStatus} */ (revised).id}`;
      })
      .catch((err) => {
        send.removeAttribute('disabled');
        feedback.replaceChildren(errorBox(err));
      });
  });
  box.replaceChildren(
    h('h2', { id: 'revision-heading' }, 'Revise the script'),
    h('p', {}, 'A new video is made from your edit. Scenes you leave as they are come from the cache and cost nothing.'),
    form,
  );
}

/**
 * Fields for every part of a script (title, and each scene's title, narration and visual), and
 * the script they hold now. @param {Script} script
 */
function scriptEditor(script) {
  const titleInput = h('input', { id: 'script-title', type: 'text', value: script.title, maxlength: 300, required: true });
  const sceneFields = script.scenes.map((scene) => {
    const prefix = `scene-${scene.index}`;
    const fields = {
      title: h('input', { id: `${prefix}-title`, type: 'text', value: scene.title, maxlength: 200, required: true }),
      narration: /** @type {HTMLTextAreaElement} */ (
        h('textarea', { id: `${prefix}-narration`, maxlength: 4000, required: true, rows: 4 })
      ),
      visual: /** @type {HTMLTextAreaElement} */ (h('textarea', { id: `${prefix}-visual`, rows: 2 })),
    };
    fields.narration.value = scene.narration;
    fields.visual.value = scene.visual ?? '';
    const fieldset = h(
      'fieldset',
      { class: 'scene-edit' },
      h('legend', {}, `Scene ${scene.index + 1}`),
      h('label', { for: `${prefix}-title` }, 'Title'),
      fields.title,
      h('label', { for: `${prefix}-narration` }, 'Narration'),
      fields.narration,
      h('label', { for: `${prefix}-visual` }, 'Visual (optional)'),
      fields.visual,
    );
    return { scene, fields, fieldset };
  });
  /** @returns {Script} */
  const edited = () => ({
    title: /** @type {HTMLInputElement} */ (titleInput).value.trim(),
    scenes: sceneFields.map(({ scene, fields }) => {
      const visual = fields.visual.value.trim();
      return {
        index: scene.index,
        title: /** @type {HTMLInputElement} */ (fields.title).value.trim(),
        narration: fields.narration.value.trim(),
        ...(visual ? { visual } : {}),
      };
    }),
  });
  const fields = [h('label', { for: 'script-title' }, 'Video title'), titleInput, ...sceneFields.map((s) => s.fieldset)];
  return { fields, edited };
}

/** The player, with captions, and the downloads. @param {string} id @param {HTMLElement} box */
async function showPlayer(id, box) {
  const [src, poster, captions] = await Promise.all([
    mediaUrl(videoPath(id, '/video')),
    mediaUrl(videoPath(id, '/thumbnail')).catch(() => undefined),
    mediaUrl(videoPath(id, '/subtitles?format=vtt')).catch(() => undefined),
  ]);
  const video = h(
    'video',
    { controls: true, preload: 'metadata', src, poster, 'aria-label': 'The video' },
    captions ? h('track', { kind: 'captions', src: captions, srclang: 'en', label: 'English', default: true }) : null,
  );
  /** A download link; with a key, the file is fetched first (links cannot carry the header). */
  const download = (/** @type {string} */ label, /** @type {string} */ path, /** @type {string} */ file) => {
    const link = h('a', { class: 'button secondary', href: apiKey() ? '#' : path, download: file }, label);
    if (apiKey()) {
      link.addEventListener('click', (event) => {
        event.preventDefault();
        void mediaUrl(path).then((url) => {
          const a = h('a', { href: url, download: file });
          a.click();
        });
      });
    }
    return link;
  };
  box.replaceChildren(
    h('h2', {}, 'Watch'),
    video,
    h(
      'p',
      {},
      download('Download MP4', videoPath(id, '/video'), `${id}.mp4`),
      download('Subtitles (SRT)', videoPath(id, '/subtitles'), `${id}.srt`),
      download('Script (JSON)', videoPath(id, '/script'), `${id}.script.json`),
    ),
  );
}

window.addEventListener('hashchange', () => void route());
void route();
