// Browser and accessibility tests for contest.
//
// playwright-core drives Debian's Chromium (/usr/bin/chromium; no browser is
// ever downloaded) through the public pages, a role user's sign-in and home
// page, and an administrator's sign-in with a TOTP code and an
// administration task. axe-core checks every page visited against WCAG 2.0,
// 2.1 and 2.2 A and AA; any violation fails the run. A full-page screenshot
// of every page is written to OUT_DIR.
//
// Environment:
//   BASE_URL            the running contest server, e.g. http://127.0.0.1:8080
//   USERNAME, PASSWORD  a role user (not an administrator)
//   ADMIN_USERNAME, ADMIN_PASSWORD, ADMIN_TOTP_SECRET
//                       an administrator and the base32 secret of their TOTP
//                       second factor; TOTP_SECRET is read when
//                       ADMIN_TOTP_SECRET is not set
//   RECORD_PATH         optional: the address of an investigation the role
//                       user leads; their home page must list it, and its
//                       page must carry the classification banner
//   PREVENT_USERNAME, PREVENT_PASSWORD, REFERRAL_PATH
//                       optional: a Prevent officer, and the address of a
//                       referral they own; their home page counts referrals
//                       by stage, and the referral's page carries the banner
//   AUDITOR_USERNAME, AUDITOR_PASSWORD
//                       optional: an auditor, who searches the audit trail
//   OUT_DIR             where screenshots go (default ./out)
//   CHROMIUM            the browser (default /usr/bin/chromium)
//
// Exit status 0 when every check passed, 1 otherwise. The last line is
// "browser: N passed, M failed".

import { createHmac } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';

const env = process.env;
const BASE_URL = (env.BASE_URL || '').replace(/\/$/, '');
const OUT_DIR = env.OUT_DIR || 'out';
const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

let passed = 0;
let failed = 0;
let shot = 0;

function fail(name, msg) {
  failed++;
  console.log(`FAIL ${name}: ${msg}`);
}

function pass(name) {
  passed++;
  console.log(`ok   ${name}`);
}

// totp returns the RFC 6238 code (HMAC-SHA1, 30 s steps, 6 digits) of a
// base32 secret at time ms.
export function totp(secret, ms = Date.now()) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const ch of secret.toUpperCase().replace(/[\s=]/g, '')) {
    const v = alphabet.indexOf(ch);
    if (v < 0) throw new Error(`TOTP secret is not base32: ${ch}`);
    bits += v.toString(2).padStart(5, '0');
  }
  const key = Buffer.alloc(Math.floor(bits.length / 8));
  for (let i = 0; i < key.length; i++) key[i] = parseInt(bits.slice(i * 8, i * 8 + 8), 2);
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(ms / 1000 / 30)));
  const mac = createHmac('sha1', key).update(counter).digest();
  const off = mac[mac.length - 1] & 0x0f;
  const n = ((mac[off] & 0x7f) << 24) | (mac[off + 1] << 16) | (mac[off + 2] << 8) | mac[off + 3];
  return String(n % 1_000_000).padStart(6, '0');
}

// check runs one named step; an exception is a failure, not the end of the run.
async function check(name, fn) {
  try {
    const problems = await fn();
    if (problems) fail(name, problems);
    else pass(name);
  } catch (err) {
    fail(name, err && err.stack ? err.stack.split('\n').slice(0, 4).join('\n     ') : String(err));
  }
}

// audit screenshots the page and runs axe on it. It returns a description of
// the violations, or '' when there are none.
async function audit(page, label) {
  shot++;
  const file = path.join(OUT_DIR, `${String(shot).padStart(2, '0')}-${label.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.png`);
  await page.screenshot({ path: file, fullPage: true });
  const r = await new AxeBuilder({ page }).withTags(WCAG).analyze();
  if (r.violations.length === 0) return '';
  const lines = [`${r.violations.length} accessibility violation(s) on ${new URL(page.url()).pathname} (${label}):`];
  for (const v of r.violations) {
    lines.push(`  ${v.id} (${v.impact}): ${v.help} [${v.helpUrl}]`);
    for (const n of v.nodes) lines.push(`    - ${n.target.join(' ')}  ${n.html.slice(0, 160)}`);
  }
  return lines.join('\n');
}

// visit loads a path, checks the status and that the expected text (a
// RegExp or string) is on the page, then audits it.
async function visit(page, label, p, want, okStatus) {
  await check(`${label} ${p}`, async () => {
    const resp = await page.goto(BASE_URL + p, { waitUntil: 'load' });
    const status = resp ? resp.status() : 0;
    return await expectPage(page, label, status, want, okStatus);
  });
}

async function expectPage(page, label, status, want, okStatus) {
  okStatus = okStatus || ((s) => s >= 200 && s < 300);
  const problems = [];
  if (!okStatus(status)) problems.push(`HTTP ${status} at ${page.url()}`);
  if (want) {
    const text = await page.locator('body').innerText();
    const ok = want instanceof RegExp ? want.test(text) : text.includes(want);
    if (!ok) problems.push(`${want} not on the page at ${page.url()}`);
  }
  const a11y = await audit(page, label);
  if (a11y) problems.push(a11y);
  return problems.join('\n');
}

// signIn fills the real sign-in form and submits it.
async function signIn(page, username, password, code) {
  await page.goto(BASE_URL + '/sign-in');
  await page.fill('#username', username);
  await page.fill('#password', password);
  if (code) await page.fill('#code', code);
  const [resp] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('form[action="/sign-in"] button[type=submit]')]);
  return resp ? resp.status() : 0;
}

async function signOut(page) {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('form[action="/sign-out"] button')]);
}

async function main() {
  const missing = ['BASE_URL', 'USERNAME', 'PASSWORD'].filter((k) => !env[k]);
  if (missing.length) {
    console.log(`browser: set ${missing.join(', ')}`);
    console.log('browser: 0 passed, 1 failed');
    process.exit(1);
  }
  mkdirSync(OUT_DIR, { recursive: true });
  const browser = await chromium.launch({
    executablePath: env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
  });
  try {
    // Each user gets a fresh context (its own cookies); axe needs pages
    // from a context, not from browser.newPage().
    let context = await browser.newContext({ viewport: { width: 1024, height: 700 } });
    let page = await context.newPage();
    page.setDefaultTimeout(30_000);

    // Public pages.
    await visit(page, 'public page', '/public', /threat level[\s\S]*Run/i);
    await visit(page, 'public report form', '/report', /999/);
    await visit(page, 'sign-in page', '/sign-in', 'Sign in');
    await visit(page, 'signed out, home redirects to sign-in', '/', 'Sign in');
    await check('sign-in with nothing entered shows an error summary', async () => {
      await page.goto(BASE_URL + '/sign-in');
      const [resp] = await Promise.all([page.waitForNavigation(), page.click('form[action="/sign-in"] button[type=submit]')]);
      const problems = await expectPage(page, 'sign-in errors', resp ? resp.status() : 0, 'There is a problem', (s) => s === 400);
      const summary = await page.locator('.govuk-error-summary').count();
      return [problems, summary ? '' : 'no .govuk-error-summary'].filter(Boolean).join('\n');
    });
    await check('wrong password is refused without saying why', async () => {
      const status = await signIn(page, env.USERNAME, env.PASSWORD + '-wrong');
      return await expectPage(page, 'sign-in refused', status, 'Enter a correct username, password', (s) => s === 401);
    });

    // A role user: sign in, see their home page, sign out.
    await check(`sign in as ${env.USERNAME}`, async () => {
      const status = await signIn(page, env.USERNAME, env.PASSWORD);
      const problems = await expectPage(page, 'role home', status, new RegExp(`signed in as .*\\(${env.USERNAME.replace('.', '\\.')}\\)`));
      const h1 = await page.locator('h1').first().innerText();
      const path = new URL(page.url()).pathname;
      return [problems, path === '/' ? '' : `landed on ${path}, not /`, /home$/i.test(h1) ? '' : `h1 is "${h1}", want a role's home`]
        .filter(Boolean).join('\n');
    });
    await visit(page, 'Pursue strand', '/strands/pursue', 'Pursue');
    // Join the dots: the closed subject who reappears is in the queue, its
    // page explains the match, and the closed subject awaits re-assessment.
    await visit(page, 'possible matches', '/possible-matches', /Testingham/);
    await check('possible match page with its reasons', async () => {
      await page.goto(BASE_URL + '/possible-matches', { waitUntil: 'load' });
      const href = await page.locator('table a').first().getAttribute('href');
      const resp = await page.goto(BASE_URL + href, { waitUntil: 'load' });
      const problems = await expectPage(page, 'possible match', resp ? resp.status() : 0, /Are these one person\?[\s\S]*Reasons, in bits of weight/);
      const svg = await page.locator('svg.contest-waterfall[role=img]').count();
      return [problems, svg ? '' : 'no waterfall'].filter(Boolean).join('\n');
    });
    await visit(page, 'closed subjects with new information', '/reassessments', /Testingham[\s\S]*New possible match/);
    if (env.RECORD_PATH) {
      // The role's home page shows their strand work, and a record page
      // carries the classification banner at its top and bottom.
      await visit(page, 'role home with strand work', '/', /Investigations you lead[\s\S]*Examplemoor[\s\S]*due for review soonest[\s\S]*Review overdue/);
      await visit(page, 'investigations list', '/investigations', /Examplemoor/);
      await check(`record page ${env.RECORD_PATH}`, async () => {
        const resp = await page.goto(BASE_URL + env.RECORD_PATH, { waitUntil: 'load' });
        const problems = [await expectPage(page, 'investigation record', resp ? resp.status() : 0, 'Operation Examplemoor')];
        for (const id of ['#classification-top', '#classification-bottom']) {
          const text = (await page.locator(id).count()) ? await page.locator(id).innerText() : '';
          if (!/OFFICIAL-SENSITIVE/.test(text) || !/Operation Examplemoor/.test(text)) problems.push(`${id} reads "${text}", want the marking and the compartment`);
        }
        return problems.filter(Boolean).join('\n');
      });
      await check('subjects list, soonest review first, to a subject record', async () => {
        const resp = await page.goto(BASE_URL + '/subjects?owner=me', { waitUntil: 'load' });
        const problems = [await expectPage(page, 'subjects list', resp ? resp.status() : 0, 'Testingham')];
        const [nav] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('a:has-text("Avery Testingham")')]);
        problems.push(await expectPage(page, 'subject record', nav ? nav.status() : 0, /Review overdue[\s\S]*Operation Examplemoor/));
        return problems.filter(Boolean).join('\n');
      });
      await visit(page, 'bad page number', '/investigations?page=0', 'There is a problem', (s) => s === 400);
    }
    await check('the role user may not reach organisation administration', async () => {
      const resp = await page.goto(BASE_URL + '/admin/organisations/new');
      const status = resp ? resp.status() : 0;
      return status === 403 || status === 404 ? '' : `HTTP ${status}: an investigator reached the add-organisation form`;
    });
    await check('sign out', async () => {
      await page.goto(BASE_URL + '/');
      await signOut(page);
      const p = new URL(page.url()).pathname;
      const resp = await page.goto(BASE_URL + '/');
      const after = new URL(page.url()).pathname;
      return p === '/sign-in' || after === '/sign-in' ? '' : `after sign-out, / is at ${after} (${resp && resp.status()})`;
    });
    await context.close();

    // An administrator, with a second factor, adds an organisation.
    const adminUser = env.ADMIN_USERNAME;
    if (!adminUser) {
      fail('administrator', 'ADMIN_USERNAME is not set');
    } else {
      context = await browser.newContext({ viewport: { width: 1024, height: 700 } });
      page = await context.newPage();
      page.setDefaultTimeout(30_000);
      const secret = env.ADMIN_TOTP_SECRET || env.TOTP_SECRET || '';
      let signedIn = false;
      await check(`sign in as ${adminUser} with a security code`, async () => {
        const status = await signIn(page, adminUser, env.ADMIN_PASSWORD || '', secret ? totp(secret) : '');
        const p = new URL(page.url()).pathname;
        const problems = await expectPage(page, 'admin home', status, 'Administration');
        signedIn = p === '/';
        return [problems, signedIn ? '' : `landed on ${p}, not /`].filter(Boolean).join('\n');
      });
      if (signedIn) {
        const orgName = `Eastmere Borough Council ${Date.now().toString(36)}`;
        await visit(page, 'administration', '/admin', 'Organisations');
        await visit(page, 'organisations', '/admin/organisations', 'Organisations');
        await visit(page, 'add organisation form', '/admin/organisations/new', 'Add an organisation');
        await check('add organisation with nothing entered shows an error summary', async () => {
          const [resp] = await Promise.all([page.waitForNavigation(), page.click('form[action="/admin/organisations"] button[type=submit]')]);
          const problems = await expectPage(page, 'add organisation errors', resp ? resp.status() : 0, 'There is a problem', (s) => s === 400);
          return problems;
        });
        await check('add an organisation through the form', async () => {
          await page.goto(BASE_URL + '/admin/organisations/new');
          await page.fill('#name', orgName);
          await page.selectOption('#kind', 'local_authority');
          await page.fill('#area', 'Eastmere');
          const [resp] = await Promise.all([page.waitForNavigation(), page.click('form[action="/admin/organisations"] button[type=submit]')]);
          const problems = await expectPage(page, 'organisation added', resp ? resp.status() : 0, orgName);
          const p = new URL(page.url()).pathname;
          return [problems, /^\/admin\/organisations\/\d+$/.test(p) ? '' : `landed on ${p}, not the new organisation`].filter(Boolean).join('\n');
        });
        await visit(page, 'organisations with the new one', '/admin/organisations', orgName);
        await visit(page, 'users', '/admin/users', env.USERNAME);
        await visit(page, 'add user form', '/admin/users/new', 'Username');
        await visit(page, 'compartments', '/admin/compartments', 'Compartments');
        await visit(page, 'add compartment form', '/admin/compartments/new', 'compartment');
        await visit(page, 'threat level', '/threat-level', 'National threat level');
        await visit(page, 'audit trail refused to an administrator', '/audit', null, (s) => s === 403 || s === 404);
        await visit(page, 'second factor', '/account/second-factor', 'second factor');
        await visit(page, 'page not found', '/no-such-page', /not found/i, (s) => s === 404);
      }
      await context.close();
    }

    // A Prevent officer sees the referrals of their area by stage, and one
    // of their own with its classification banner.
    if (env.PREVENT_USERNAME) {
      context = await browser.newContext({ viewport: { width: 1024, height: 700 } });
      page = await context.newPage();
      page.setDefaultTimeout(30_000);
      await check(`sign in as ${env.PREVENT_USERNAME}`, async () => {
        const status = await signIn(page, env.PREVENT_USERNAME, env.PREVENT_PASSWORD || '');
        const problems = [await expectPage(page, 'Prevent officer home', status, /Referrals you may see, by stage[\s\S]*Referrals you own[\s\S]*PR-E2E-0001/)];
        const screening = await page.locator('#count-stage-screening').innerText();
        if (screening.trim() !== '1') problems.push(`screening count is "${screening}", want 1`);
        return problems.filter(Boolean).join('\n');
      });
      if (env.REFERRAL_PATH) {
        await check(`referral page ${env.REFERRAL_PATH}`, async () => {
          const resp = await page.goto(BASE_URL + env.REFERRAL_PATH, { waitUntil: 'load' });
          const problems = [await expectPage(page, 'Prevent referral record', resp ? resp.status() : 0, /PR-E2E-0001[\s\S]*Recorded for statistics only/)];
          for (const id of ['#classification-top', '#classification-bottom']) {
            const text = (await page.locator(id).count()) ? await page.locator(id).innerText() : '';
            if (!/OFFICIAL-SENSITIVE/.test(text)) problems.push(`${id} reads "${text}", want the marking`);
          }
          return problems.filter(Boolean).join('\n');
        });
      }
      await visit(page, 'Prevent referrals at one stage', '/prevent/referrals?status=panel', /PR-E2E-0002/);
      await context.close();
    }

    // An auditor searches the audit trail, which shows the administrator's work.
    if (env.AUDITOR_USERNAME) {
      context = await browser.newContext({ viewport: { width: 1024, height: 700 } });
      page = await context.newPage();
      page.setDefaultTimeout(30_000);
      await check(`sign in as ${env.AUDITOR_USERNAME}`, async () => {
        const status = await signIn(page, env.AUDITOR_USERNAME, env.AUDITOR_PASSWORD || '');
        return await expectPage(page, 'auditor home', status, 'signed in as');
      });
      await visit(page, 'audit trail', '/audit', 'Audit trail');
      if (adminUser) {
        await visit(page, 'audit trail search', `/audit?username=${encodeURIComponent(adminUser)}`, / entries match/);
      }
      await context.close();
    }
  } finally {
    await browser.close();
  }
  console.log(`browser: ${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

main().catch((err) => {
  console.log(`browser: ${err && err.stack ? err.stack : err}`);
  console.log(`browser: ${passed} passed, ${failed + 1} failed`);
  process.exit(1);
});
