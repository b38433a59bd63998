import { randomUUID } from 'node:crypto';
import type { Locator, Page, Response } from 'playwright-core';
import { describeWithChromium, launchChromium, type Browser } from '../helpers/browser';
import { startGatehouse, type GatehouseProcess } from '../helpers/gatehouse-process';

/**
 * A person at /docs, in a real (headless) Chromium against the built gatehouse: registers, logs
 * in with HTTP Basic and calls the dashboard with the bearer token, all through Swagger UI's
 * forms and Authorize dialog. Everything the page loads must come from gatehouse itself.
 */

/** The operation's block, opened ("Try it out" is on from the start, see the initializer). */
async function openOperation(page: Page, id: string): Promise<Locator> {
  const block = page.locator(`#operations-${id}`);
  await block.locator('.opblock-summary').click();
  await block.locator('button.execute').waitFor();
  return block;
}

/** Presses Execute and returns the HTTP response, once the page shows its status. */
async function execute(page: Page, block: Locator, method: string, path: string): Promise<{ response: Response; shown: unknown }> {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === method && new URL(r.url()).pathname === path),
    block.locator('button.execute').click(),
  ]);
  await block.locator('.live-responses-table tbody .response-col_status').filter({ hasText: String(response.status()) }).waitFor();
  const shown = JSON.parse(await block.locator('.live-responses-table .response-col_description pre').first().innerText());
  return { response, shown };
}

/** Fills one security scheme's form in the Authorize dialog, applies it and closes the dialog. */
async function authorize(page: Page, scheme: string, fill: (form: Locator) => Promise<void>): Promise<void> {
  await page.locator('.auth-wrapper button.authorize').click();
  const form = page.locator('.dialog-ux form').filter({ has: page.locator('h4 code', { hasText: new RegExp(`^${scheme}$`) }) });
  await fill(form);
  await form.locator('button[type="submit"]').click();
  // Once applied, the form offers "Logout" for the scheme instead.
  await form.locator('button', { hasText: 'Logout' }).waitFor();
  await page.locator('.dialog-ux button.close-modal').click();
  await page.locator('.dialog-ux').waitFor({ state: 'detached' });
}

describeWithChromium()('the /docs page in a real browser', () => {
  let gatehouse: GatehouseProcess | undefined;
  let browser: Browser | undefined;

  beforeAll(async () => {
    gatehouse = await startGatehouse({ STORE: 'memory' });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    try {
      await browser?.close();
    } finally {
      await gatehouse?.stop();
    }
  });

  test('register → login (Basic) → dashboard (Bearer) from the page, loading nothing from elsewhere', async () => {
    const origin = gatehouse!.url;
    const page = await browser!.context.newPage();
    page.setDefaultTimeout(15_000);
    const requested: string[] = [];
    const problems: string[] = [];
    page.on('request', (r) => requested.push(`${r.method()} ${r.url()}`));
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    // CSP violations and failed loads are reported as console errors.
    page.on('console', (m) => (m.type() === 'error' ? problems.push(`console: ${m.text()}`) : undefined));

    await page.goto(`${origin}/docs`);
    await page.locator('.information-container .title', { hasText: 'gatehouse' }).waitFor();

    const username = `browser-${randomUUID().slice(0, 8)}`;
    const password = 'a password typed in a browser';

    // 1. Register, with the form fields Swagger UI renders for multipart/form-data.
    const register = await openOperation(page, 'tutorial-register');
    await register.locator('tr[data-property-name="username"] input[placeholder="username"]').fill(username);
    await register.locator('tr[data-property-name="password"] input[placeholder="password"]').fill(password);
    await register.locator('tr[data-property-name="first_name"] input[placeholder="first_name"]').fill('Ada');
    await register.locator('tr[data-property-name="last_name"] input[placeholder="last_name"]').fill('Lovelace');
    const registered = await execute(page, register, 'POST', '/register');
    expect(registered.response.status()).toBe(201);
    expect(registered.response.request().headers()['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(registered.shown).toEqual({ msg: 'successfully created user profile', data: null });

    // 2. Authorize with HTTP Basic, then log in.
    await authorize(page, 'userPassword', async (form) => {
      await form.locator('input[name="username"]').fill(username);
      await form.locator('input[name="password"]').fill(password);
    });
    const login = await openOperation(page, 'tutorial-login');
    const loggedIn = await execute(page, login, 'POST', '/login');
    expect(loggedIn.response.status()).toBe(200);
    expect(loggedIn.response.request().headers().authorization).toBe(
      `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`,
    );
    const { data } = loggedIn.shown as { data: { auth_token: string; token_type: string } };
    expect(loggedIn.shown).toMatchObject({ msg: 'successfully authenticated user', data: { token_type: 'Bearer' } });
    expect(data.auth_token).toMatch(/^v3\.local\./);

    // 3. Authorize with the token shown on the page, then call the dashboard.
    await authorize(page, 'bearerToken', (form) => form.locator('input').fill(data.auth_token));
    const dashboard = await openOperation(page, 'tutorial-dashboard');
    const answered = await execute(page, dashboard, 'GET', '/dashboard');
    expect(answered.response.status()).toBe(200);
    expect(answered.response.request().headers().authorization).toBe(`Bearer ${data.auth_token}`);
    expect(answered.shown).toEqual({
      msg: 'successfully requested user info',
      data: { username, first_name: 'Ada', last_name: 'Lovelace' },
    });

    // The store: the user exists with the password typed on the page, and the login from the
    // page is a live session recorded with the browser's user agent.
    const again = await fetch(`${origin}/login/`, {
      method: 'POST',
      headers: { Authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` },
    });
    expect(again.status).toBe(200);
    const sessions = await fetch(`${origin}/sessions/`, { headers: { Authorization: `Bearer ${data.auth_token}` } });
    const listed = (await sessions.json()) as { data: { sessions: { current: boolean; user_agent: string }[] } };
    const current = listed.data.sessions.filter((s) => s.current);
    expect(listed.data.sessions).toHaveLength(2);
    expect(current).toHaveLength(1);
    expect(current[0]!.user_agent).toBe(await page.evaluate('navigator.userAgent'));

    // Everything came from gatehouse: the page, its files, the document and the API calls.
    expect(requested.filter((r) => !r.split(' ')[1]!.startsWith(`${origin}/`))).toEqual([]);
    expect(requested).toEqual(
      expect.arrayContaining([
        `GET ${origin}/docs`,
        `GET ${origin}/docs/swagger-ui.css`,
        `GET ${origin}/docs/swagger-ui-bundle.js`,
        `GET ${origin}/docs/swagger-initializer.js`,
        `GET ${origin}/openapi.json`,
        `POST ${origin}/register`,
        `POST ${origin}/login`,
        `GET ${origin}/dashboard`,
      ]),
    );
    // No CSP violation, script error or failed load.
    expect(problems).toEqual([]);
  }, 60_000);
});
