/**
 * The web page in a real browser: playwright-core driving Debian's Chromium against the real API,
 * real workers (local providers, 1 s clips) and a real Temporal server. Each test saves
 * screenshots of what it saw under test-artifacts/web/.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { ClipGenerator } from '../../src/providers/contracts';
import { SafetyBlockedError } from '../../src/providers/errors';
import { DrawnClipGenerator } from '../../src/providers/local/drawn-clip-generator';
import { pollUntil } from '../helpers/poll';
import { startTestEnv } from '../helpers/temporal-test-env';
import { startVideoStack, type VideoStack } from '../helpers/video-stack';

jest.setTimeout(180_000);

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = path.resolve(__dirname, '../../test-artifacts/web');
/** Scenes whose narration holds this word are refused by the clip provider, once. */
const REFUSED_WORD = 'unicorns';
const API_KEY = 'web-page-test-key';

/** The local drawer, except that it refuses the first scene that mentions REFUSED_WORD. */
function refusingOnce(inner: ClipGenerator): ClipGenerator {
  let refused = false;
  return {
    plan: (scene) => inner.plan(scene),
    submit: (request) => inner.submit(request),
    cancel: (taskId) => inner.cancel(taskId),
    async await(request) {
      if (!refused && request.scene.narration.toLowerCase().includes(REFUSED_WORD)) {
        refused = true;
        throw new SafetyBlockedError('The clip provider refused the scene (test)');
      }
      return inner.await(request);
    },
  };
}

let env: TestWorkflowEnvironment;
let stack: VideoStack;
let browser: Browser;

beforeAll(async () => {
  await fs.mkdir(SHOTS, { recursive: true });
  env = await startTestEnv();
  stack = await startVideoStack(env, {
    api: true,
    deps: () => ({ clipGenerator: refusingOnce(new DrawnClipGenerator({ durationSec: 1 })) }),
  });
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: asRoot ? ['--no-sandbox'] : [] });
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  await env?.teardown();
});

async function newPage(): Promise<Page> {
  // bypassCSP lets the test inject axe-core; the page itself runs under its policy in every other respect.
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 }, bypassCSP: true });
  const page = await context.newPage();
  page.on('pageerror', (err) => {
    throw err;
  });
  return page;
}

/** Saves a screenshot, after an axe-core audit of the page as it is (WCAG 2.1 A and AA rules) finds nothing. */
async function shot(page: Page, name: string): Promise<void> {
  await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
  const violations = (await page.evaluate(async () => {
    const result = await (globalThis as any).axe.run({ runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] });
    return result.violations.map((v: any) => `${v.id}: ${v.help} (${v.nodes.map((n: any) => n.target.join(' ')).join(', ')})`);
  })) as string[];
  expect({ page: name, violations }).toEqual({ page: name, violations: [] });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

async function startVideo(body: unknown, headers: Record<string, string> = {}): Promise<string> {
  const res = await fetch(`${stack.apiUrl}/api/videos`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(202);
  return ((await res.json()) as { id: string }).id;
}

const TEXT = 'Bees dance to tell the hive where flowers are.\n\nThe angle of the dance points at the food.';
const idInUrl = (page: Page) => /#\/videos\/([^/]+)$/.exec(page.url())?.[1] ?? '';

test('start from the form, watch live progress, edit the script in review, approve, and play the result', async () => {
  const page = await newPage();
  await page.goto(`${stack.apiUrl}/#/new`);
  await page.getByLabel('A title and text').check();
  await page.getByLabel('Title', { exact: true }).fill('How bees share directions');
  await page.getByLabel('Text', { exact: true }).fill(TEXT);
  await page.getByLabel('Let me review the script before anything is narrated').check();
  await page.getByLabel('Most scenes').fill('3');
  await page.getByLabel('Voice').fill('en-us');
  // Every field the form shows has a label a screen reader reads out.
  const unlabelled = await page.$$eval('input, textarea', (els) =>
    els.filter((el: any) => el.labels?.length === 0 && !el.getAttribute('aria-label')).map((el) => el.id),
  );
  expect(unlabelled).toEqual([]);
  await shot(page, '1-new-video-form');
  // Submitted from the keyboard.
  await page.getByRole('button', { name: 'Start the video' }).focus();
  await page.keyboard.press('Enter');

  await page.waitForURL(/#\/videos\/video-/);
  const id = idInUrl(page);
  await page.getByRole('heading', { name: 'Review the script' }).waitFor({ timeout: 60_000 });
  await page.getByText(/The video waits until/).waitFor();
  await shot(page, '2-review');

  const narration = page.getByLabel('Narration').first();
  await narration.fill('Edited in the browser: bees dance to point the way to flowers.');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await page.getByText('Saved.').waitFor();
  const script = (await (await fetch(`${stack.apiUrl}/api/videos/${id}/script`)).json()) as { scenes: { narration: string }[] };
  expect(script.scenes[0]?.narration).toBe('Edited in the browser: bees dance to point the way to flowers.');

  // Progress values the page shows from here on, as the event stream delivers them.
  await page.evaluate(() => {
    const seen: string[] = [];
    const w = globalThis as any; // the page's window
    w.seen = seen;
    const bar = w.document.querySelector('progress');
    new w.MutationObserver(() => seen.push(bar.getAttribute('value') ?? '')).observe(bar, { attributes: true });
  });
  await page.getByRole('button', { name: 'Approve and continue' }).click();
  await page.locator('.badge.completed').first().waitFor({ timeout: 120_000 });
  const seen = (await page.evaluate(() => (globalThis as any).seen)) as string[];
  expect(new Set(seen.filter((v) => v !== '100')).size).toBeGreaterThanOrEqual(2);

  // The player loads the MP4 with its captions track, and the downloads are offered.
  await page.waitForFunction(() => {
    const video = (globalThis as any).document.querySelector('video');
    return video !== null && video.readyState >= 1 && video.duration > 1;
  });
  expect(await page.locator('video track[kind="captions"]').count()).toBe(1);
  const downloads = await page.locator('a[download]').evaluateAll((links) => links.map((a) => a.getAttribute('href')));
  expect(downloads).toEqual([`/api/videos/${id}/video`, `/api/videos/${id}/subtitles`, `/api/videos/${id}/script`]);
  const webUi = await page.getByRole('link', { name: 'This run in the Temporal Web UI' }).getAttribute('href');
  expect(webUi).toContain(`/workflows/${id}/`);
  await shot(page, '3-completed');

  // The list shows it with its title, status and thumbnail.
  await page.goto(`${stack.apiUrl}/#/`);
  const row = page.locator('.videos li', { hasText: 'How bees share directions' });
  await row.locator('.badge.completed').waitFor();
  await pollUntil(
    () => row.locator('img.thumb').evaluate((img: any) => img.naturalWidth as number),
    (width) => width > 0,
  );
  await row.getByText(/\d+:\d\d long/).waitFor();
  await shot(page, '4-list');
  // A phone's width: one column, nothing cut off sideways.
  await page.setViewportSize({ width: 390, height: 844 });
  expect(await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await shot(page, '4-list-phone');
  // The dark scheme passes the same audit, contrast included.
  await page.emulateMedia({ colorScheme: 'dark' });
  await shot(page, '4-list-phone-dark');
  await page.context().close();
});

test('a failed run shows its reason; Retry starts a new run that completes and links back; Revise makes a new one from an edited script', async () => {
  const id = await startVideo({
    source: { type: 'text', title: 'Refused once', text: `Some ${REFUSED_WORD} are drawn here.\n\nThe rest is fine.` },
    options: { maxScenes: 2 },
  });
  const page = await newPage();
  await page.goto(`${stack.apiUrl}/#/videos/${id}`);
  const alert = page.getByRole('alert');
  await alert.waitFor({ timeout: 60_000 });
  await expect(alert.textContent()).resolves.toContain('SafetyBlocked: The clip provider refused the scene (test)');
  await page.locator('.badge.failed').first().waitFor();
  await page.getByRole('cell', { name: 'failed', exact: true }).waitFor();
  await shot(page, '5-failed');

  await page.getByRole('button', { name: 'Retry' }).click();
  await page.waitForURL((url) => !url.hash.endsWith(id) && url.hash.startsWith('#/videos/'));
  await page.locator('.badge.completed').first().waitFor({ timeout: 60_000 });
  await expect(page.getByRole('link', { name: id }).getAttribute('href')).resolves.toBe(`#/videos/${id}`);
  await shot(page, '6-retried');

  // Revise the retried video: its script opens for editing, and the new video links back to it,
  // its unchanged narration taken from the cache.
  const retriedId = new URL(page.url()).hash.replace('#/videos/', '');
  await page.getByRole('button', { name: 'Revise' }).click();
  await page.getByRole('heading', { name: 'Revise the script' }).waitFor();
  await page.getByLabel('Narration').last().fill('The rest is fine, and now the narration says so.');
  await shot(page, '7-revise');
  await page.getByRole('button', { name: 'Make the revised video' }).click();
  await page.waitForURL((url) => url.hash.startsWith('#/videos/') && !url.hash.endsWith(retriedId));
  await page.locator('.badge.completed').first().waitFor({ timeout: 60_000 });
  await expect(page.getByRole('link', { name: retriedId }).getAttribute('href')).resolves.toBe(`#/videos/${retriedId}`);
  await page.getByText('Revision of').waitFor();
  await page.getByRole('cell', { name: 'narration', exact: true }).waitFor();
  await shot(page, '8-revised');
  await page.context().close();
});

test('cancel a video awaiting review, then delete it: it leaves the list', async () => {
  const id = await startVideo({ source: { type: 'text', title: 'Cancelled in review', text: TEXT }, options: { review: true } });
  const page = await newPage();
  page.on('dialog', (dialog) => void dialog.accept());
  await page.goto(`${stack.apiUrl}/#/videos/${id}`);
  await page.getByRole('heading', { name: 'Review the script' }).waitFor({ timeout: 60_000 });
  await page.getByRole('button', { name: 'Cancel' }).click();
  await page.locator('.badge.cancelled').first().waitFor({ timeout: 30_000 });
  expect(await page.getByRole('heading', { name: 'Review the script' }).count()).toBe(0);
  await shot(page, '7-cancelled');

  await page.getByRole('button', { name: 'Delete' }).click();
  await page.waitForURL(/#\/$/);
  await page.getByRole('heading', { name: 'Your videos' }).waitFor();
  expect(await page.locator(`a[href="#/videos/${id}"]`).count()).toBe(0);
  expect((await fetch(`${stack.apiUrl}/api/videos/${id}`)).status).toBe(404);
  await page.context().close();
});

test('with API keys the page asks for one, then shows the videos and plays them from blob URLs', async () => {
  const keyed = await startVideoStack(env, { api: true, env: { API_KEYS: API_KEY } });
  try {
    const res = await fetch(`${keyed.apiUrl}/api/videos`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}` },
      body: JSON.stringify({ source: { type: 'text', title: 'Behind a key', text: TEXT }, options: { maxScenes: 2 } }),
    });
    const { id } = (await res.json()) as { id: string };
    const page = await newPage();
    const requested: string[] = [];
    page.on('request', (request) => requested.push(request.url()));
    await page.goto(`${keyed.apiUrl}/#/videos/${id}`);
    await page.getByLabel('API key').fill('not-the-key');
    await page.keyboard.press('Enter');
    await page.getByText('The key was not accepted').waitFor();
    await page.getByLabel('API key').fill(API_KEY);
    await shot(page, '8-api-key');
    await page.keyboard.press('Enter');
    await page.locator('.badge.completed').first().waitFor({ timeout: 60_000 });
    await page.waitForFunction(() => {
      const video = (globalThis as any).document.querySelector('video');
      return video?.src.startsWith('blob:') && video.duration > 1;
    });
    // The key travels in headers only, never in an address.
    expect(requested.filter((url) => url.includes(API_KEY))).toEqual([]);
    await page.context().close();
  } finally {
    await keyed.stop();
  }
});
