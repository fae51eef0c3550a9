// The web interface in a real browser: Debian's chromium driven by
// playwright-core against a real `tocsin serve` on loopback, once in Chinese
// and once in English. Walks the plan's day: a department reports, the officer
// triages it into an incident, works its tasks and evidence, reports upward; an
// orange warning is drafted, approved by a leader, shown on the banner, lifted;
// a statement is approved and released; the assessment is completed; the audit
// log verifies. Prints "ok N - …" / "not ok N - …" lines (tests/run.sh counts
// them); screenshots of each main page go to tests/browser/out/.
//
// Usage: node tests/browser/ui.mjs   ($TOCSIN: the binary; $TOCSIN_ROOT: the checkout)
import { chromium } from 'playwright-core';
import { spawn, execFileSync } from 'node:child_process';
import http from 'node:http';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = process.env.TOCSIN_ROOT || path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const TOCSIN = process.env.TOCSIN || path.join(ROOT, 'tocsin');
const OUT = path.join(ROOT, 'tests/browser/out');
const PASSWORD = 'a long enough password';
const STEP_MS = 15000; // the longest any one wait may take
const SITE_PAGE = '<!doctype html><html><head><meta charset="utf-8"><title>示范开发区管委会</title></head><body><h1>欢迎访问</h1></body></html>\n';
const sha256 = (b) => createHash('sha256').update(b).digest('hex');
// A news page of the portal, long enough that most of it is unchanged between versions.
const NEWS_ITEMS = Array.from({ length: 40 }, (_, i) => `<li><a href="/news/${i + 1}.html">开发区第${i + 1}号通知</a></li>`);
const NEWS_PAGE = (extra) => ['<!doctype html>', '<html><head><meta charset="utf-8"><title>新闻动态</title></head>', '<body>',
    '<h1>新闻动态</h1>', '<ul>', ...NEWS_ITEMS.slice(0, 20), ...extra, ...NEWS_ITEMS.slice(20), '</ul>', '</body></html>', ''].join('\n');
const NEWS_TAMPER = ['<div style="display:none"><a href="http://bet.example.com/">澳门博彩</a></div>'];
const { default: zh } = await import(path.join(ROOT, 'ui/i18n/zh.js'));
const { default: en } = await import(path.join(ROOT, 'ui/i18n/en.js'));

let n = 0;
let failed = 0;
function ok(cond, what, detail) {
    n++;
    if (cond) {
        console.log(`ok ${n} - ${what}`);
    } else {
        failed++;
        console.log(`not ok ${n} - ${what}`);
        if (detail) console.log(String(detail).split('\n').map((l) => '#   ' + l).join('\n'));
    }
}

// What the page and the server showed when a step failed (set per walk-through).
let explain = null;

// Runs one step; a thrown error is a failed check naming the step, with the
// state of the page and the server's last words.
async function step(what, fn) {
    try {
        const r = await fn();
        ok(r !== false, what, r === false && explain ? await explain() : undefined);
    } catch (e) {
        ok(false, what, (e.stack || e) + (explain ? '\n' + await explain() : ''));
    }
}

// ---- the dictionaries: every key used in the code exists in both -----------

function dictionaryChecks() {
    const keysOf = (file) => [...fs.readFileSync(path.join(ROOT, file), 'utf8').matchAll(/^\s*'([^']+)':/gm)].map((m) => m[1]);
    for (const [file, dict] of [['ui/i18n/zh.js', zh], ['ui/i18n/en.js', en]]) {
        const keys = keysOf(file);
        const dup = keys.filter((k, i) => keys.indexOf(k) !== i);
        ok(dup.length === 0, `${file} defines each key once`, dup.join(', '));
        ok(keys.length === Object.keys(dict).length, `${file} is read whole`);
    }
    const missing = Object.keys(zh).filter((k) => !(k in en)).concat(Object.keys(en).filter((k) => !(k in zh)));
    ok(missing.length === 0, 'Chinese and English have the same keys', missing.join(', '));
    const used = new Set();
    const walk = (dir) => fs.readdirSync(dir, { withFileTypes: true }).forEach((d) => {
        const p = path.join(dir, d.name);
        if (d.isDirectory() && d.name !== 'node_modules' && d.name !== 'i18n') walk(p);
        else if (d.name.endsWith('.js')) {
            for (const m of fs.readFileSync(p, 'utf8').matchAll(/\bt\('([a-z_.-]+)'[,)]/g)) used.add(m[1]);
        }
    });
    walk(path.join(ROOT, 'ui'));
    const absent = [...used].filter((k) => !(k in zh));
    ok(used.size > 100 && absent.length === 0, `every one of the ${used.size} keys the code names is in the dictionaries`, absent.join(', '));
    ok(zh['login.submit'] === '登录', 'the Chinese sign-in button reads 登录');
}

// ---- a real tocsin on loopback ----------------------------------------------------

function tocsin(data, args, input) {
    return execFileSync(TOCSIN, ['--data', data, ...args], { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
}

async function startServer() {
    const data = fs.mkdtempSync(path.join(os.tmpdir(), 'tocsin-browser-'));
    tocsin(data, ['init', '--org', '示范开发区管委会']);
    const pw = path.join(data, 'pw');
    fs.writeFileSync(pw, PASSWORD + '\n', { mode: 0o600 });
    for (const [name, role, extra] of [['zhou', 'officer', ['--display', '周值班']], ['lead', 'leader', ['--display', '李组长']],
        ['aud', 'auditor', []], ['adm', 'admin', ['--display', '系统管理员']],
        ['xc', 'department', ['--department', '宣传部', '--display', '宣传部王']]]) {
        tocsin(data, ['user', 'add', name, '--role', role, '--password-file', pw, ...extra]);
    }
    tocsin(data, ['asset', 'add', '门户网站', '--kind', 'portal', '--importance', 'core', '--department', '办公室', '--as', 'zhou']);
    tocsin(data, ['hazard', 'add', '--title', '门户后台弱口令', '--severity', 'high', '--department', '办公室',
        '--deadline', '2027-01-10T00:00:00Z', '--asset', '门户网站', '--as', 'zhou']);
    tocsin(data, ['supply', 'add', '--name', '备用服务器', '--kind', 'hardware', '--quantity', '2', '--location', '一号机房', '--as', 'zhou']);
    tocsin(data, ['checklist', 'add', '每日安全检查', '--schedule', 'daily', '--as', 'zhou',
        '--item', '机房门禁记录无异常', '--expect', '无未授权进入', '--item', '防火墙策略未被改动', '--expect', '与基线一致']);
    // The portal's web root, guarded by the server
    const site = path.join(data, 'site');
    fs.mkdirSync(site);
    fs.writeFileSync(path.join(site, 'index.html'), SITE_PAGE);
    fs.appendFileSync(path.join(data, 'tocsin.conf'), `\n[guard]\nprotect = ${site}@门户网站\nmode = restore\n`);
    // The portal's news page, served by a plain HTTP server whose page the test changes.
    const news = { body: NEWS_PAGE([]), hooks: [] };
    news.server = http.createServer((req, res) => {
        if (req.method === 'POST') { // a webhook receiver, for the notification channel
            let body = '';
            req.on('data', (b) => { body += b; });
            req.on('end', () => {
                news.hooks.push({ headers: req.headers, body });
                res.writeHead(200, { 'Content-Type': 'application/json' });
                res.end('{}');
            });
            return;
        }
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
        res.end(news.body);
    });
    await new Promise((r) => news.server.listen(0, '127.0.0.1', r));
    news.url = `http://127.0.0.1:${news.server.address().port}/news.html`;
    news.hook = `http://127.0.0.1:${news.server.address().port}/hook`;
    const portFile = path.join(data, 'port');
    const proc = spawn(TOCSIN, ['--data', data, 'serve', '--listen', '127.0.0.1:0', '--port-file', portFile],
        { env: { ...process.env, TOCSIN_QUIET: '1' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr.on('data', (b) => { stderr += b; });
    const until = Date.now() + 10000;
    while (!(fs.existsSync(portFile) && fs.readFileSync(portFile, 'utf8').trim()) && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 100));
    }
    const port = fs.readFileSync(portFile, 'utf8').trim();
    // Two monitors checked for real with libcurl: the portal (here, tocsin's own page)
    // answers; the OA's port is closed, so it is down after its first failure.
    tocsin(data, ['asset', 'add', 'OA系统', '--kind', 'oa', '--importance', 'core', '--department', '办公室', '--as', 'zhou']);
    tocsin(data, ['monitor', 'add', `http://127.0.0.1:${port}/`, '--asset', '门户网站', '--interval', '3600', '--as', 'zhou']);
    tocsin(data, ['monitor', 'add', 'http://127.0.0.1:1/', '--asset', 'OA系统', '--interval', '3600', '--retries', '0', '--as', 'zhou']);
    for (const id of ['1', '1', '1', '2']) {
        try {
            tocsin(data, ['monitor', 'run', id]);
        } catch (e) {
            if (e.status !== 1) throw e; // 1: the check found something, as the OA's must
        }
    }
    return {
        data, site, proc, news, base: `http://127.0.0.1:${port}`, stderr: () => stderr,
        stop: () => new Promise((r) => { news.server.close(); proc.once('exit', r); proc.kill('SIGTERM'); }),
    };
}

// ---- the walk-through -------------------------------------------------------------

async function walkThrough(browser, lang) {
    const D = lang === 'en' ? en : zh;
    const srv = await startServer();
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true, locale: 'zh-CN' });
    const page = await ctx.newPage();
    page.setDefaultTimeout(STEP_MS);
    const problems = [];
    // A 401 is how the page learns there is no session (at sign-in, after sign-out), and a 422
    // answers the bad input the walk-through enters on purpose (each checked on the page); anything
    // else logged as an error, a refusal by the Content-Security-Policy above all, is a fault.
    page.on('console', (m) => {
        if (m.type() === 'error' && !/status of (401|422)/.test(m.text())) problems.push('console: ' + m.text());
    });
    page.on('pageerror', (e) => problems.push('page error: ' + e.message));
    // The last API answers, for the account of a failed step.
    const answers = [];
    page.on('response', (r) => {
        const u = new URL(r.url());
        if (!u.pathname.startsWith('/api/')) return;
        answers.push(`${r.request().method()} ${u.pathname}${u.search} ${r.status()} at ${new Date().toISOString().slice(11, 23)}`);
        if (answers.length > 12) answers.shift();
    });
    explain = async () => {
        try {
            const state = await page.evaluate(() => ({
                alerts: [...document.querySelectorAll('[role="alert"]')].map((a) => a.textContent),
                text: (document.querySelector('main') || document.body).innerText.slice(0, 500),
            }));
            await page.screenshot({ path: path.join(OUT, `${lang}-failed-${n + 1}.png`), fullPage: true });
            return [`page ${page.url()} at ${new Date().toISOString().slice(11, 23)}; alerts: ${JSON.stringify(state.alerts)}`,
                state.text, 'the last API answers:', ...answers, 'the server\'s last lines:',
                ...srv.stderr().trimEnd().split('\n').slice(-10)].join('\n');
        } catch (e) {
            return 'the page could not be read: ' + e.message;
        }
    };
    const shot = (name) => page.screenshot({ path: path.join(OUT, `${lang}-${name}.png`), fullPage: true });
    const button = (key, scope) => (scope || page).getByRole('button', { name: D[key], exact: true });
    const navTo = async (key) => {
        await page.getByRole('navigation').getByRole('link', { name: D[key], exact: true }).click();
        await page.getByRole('heading', { level: 1, name: D[key], exact: true }).waitFor();
    };
    // Every form control on the page has a label a screen reader announces.
    const allLabelled = () => page.evaluate(() => [...document.querySelectorAll('input, select, textarea')]
        .filter((el) => el.type !== 'hidden' && !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
        .map((el) => el.outerHTML.slice(0, 80)));
    // With `hash`, a page is asked for at the very moment the console first
    // shows, before its effects have run (a MutationObserver's callback comes
    // first): the router must not miss it.
    const signIn = async (name, hash) => {
        await page.goto(srv.base + '/');
        // A step that failed may have left someone signed in; that failure is
        // reported already, and need not fail every step after it.
        const signedIn = button('common.sign_out');
        await signedIn.or(page.getByLabel(D['login.name'])).first().waitFor();
        if (await signedIn.isVisible()) await signOut();
        await page.getByLabel(D['login.name']).fill(name);
        await page.getByLabel(D['login.password']).fill(PASSWORD);
        if (hash) {
            await page.evaluate((h) => new MutationObserver((_, seen) => {
                if (document.querySelector('header.top')) {
                    seen.disconnect();
                    location.hash = h;
                }
            }).observe(document.body, { childList: true, subtree: true }), hash);
        }
        await button('login.submit').click();
        await page.getByRole('button', { name: D['common.sign_out'] }).waitFor();
    };
    const signOut = async () => {
        await button('common.sign_out').click();
        await button('login.submit').waitFor();
    };
    const L = `[${lang}]`;
    const sql = (q) => execFileSync('sqlite3', [path.join(srv.data, 'tocsin.db'), q], { encoding: 'utf8' }).trim();
    // Checked in a child process while this one serves the page it fetches; exit 1: findings.
    const runMonitor = (id) => new Promise((resolve, reject) => {
        const p = spawn(TOCSIN, ['--data', srv.data, 'monitor', 'run', String(id)], { stdio: 'ignore' });
        p.once('exit', (code) => (code === 0 || code === 1 ? resolve() : reject(new Error(`monitor run exited ${code}`))));
    });

    await step(`${L} a visitor without a session gets the sign-in page at /`, async () => {
        await page.goto(srv.base + '/');
        if (lang === 'en') {
            await page.getByRole('button', { name: 'English' }).click();
        }
        await button('login.submit').waitFor();
        ok((await button('login.submit').textContent()).trim() === D['login.submit'], `${L} the sign-in button reads ${D['login.submit']}`);
        ok(await page.evaluate(() => document.documentElement.lang) === (lang === 'en' ? 'en' : 'zh-CN'), `${L} the page says its language`);
        await shot('signin');
    });

    await step(`${L} a wrong password is refused with a message`, async () => {
        await page.getByLabel(D['login.name']).fill('zhou');
        await page.getByLabel(D['login.password']).fill('not the password at all');
        await button('login.submit').click();
        await page.getByRole('alert').waitFor();
    });

    // A department reports; it sees only its report form, its tasks and its incidents.
    await step(`${L} a department user reports an event`, async () => {
        await signIn('xc');
        const links = await page.getByRole('navigation').getByRole('link').allTextContents();
        ok(links.join('|') === [D['nav.report'], D['nav.tasks'], D['nav.incidents']].join('|'),
            `${L} a department sees only the report form, its tasks and its incidents`, links.join('|'));
        await page.getByLabel(D['dr.what']).fill('门户首页被篡改，出现赌博链接');
        await page.getByLabel(D['dr.where']).fill('门户网站');
        await page.getByLabel(D['dr.bad.tampered']).check();
        ok((await allLabelled()).length === 0, `${L} every control of the report form has a label`);
        await shot('report');
        await button('dr.submit').click();
        await page.getByRole('status').filter({ hasText: D['dr.sent'].split('{')[0].trim() }).waitFor();
        await signOut();
    });

    // The officer triages it into an incident.
    let ref = '';
    await step(`${L} the dashboard shows each monitor's state in words, with its latency line`, async () => {
        await signIn('zhou');
        await page.getByRole('heading', { level: 1, name: D['nav.dashboard'] }).waitFor();
        const up = page.locator('table.monitors tr[data-state="up"]');
        const down = page.locator('table.monitors tr[data-state="down"]');
        await up.waitFor();
        ok((await up.textContent()).includes(D['mon.up']) && (await up.textContent()).includes('门户网站'), `${L} the portal is up, said in words`);
        ok((await down.textContent()).includes(D['mon.down']) && (await down.textContent()).includes('OA系统'), `${L} the OA is down, said in words`);
        await up.locator('.spark canvas').waitFor();
        ok((await page.locator('#d-mon').textContent()).includes(D['dash.monitors_down'].replace('{n}', '1')), `${L} the dashboard counts the site that is down`);
    });

    await step(`${L} a monitor's page charts its checks with uptime and latency`, async () => {
        await navTo('nav.monitors');
        await page.locator('table.monitors a', { hasText: '门户网站' }).click();
        await page.waitForURL(/#\/monitors\/1$/);
        await page.locator('.chart canvas').waitFor();
        const facts = await page.locator('dl.facts').textContent();
        ok(/24h 100%/.test(facts) && /p50 [0-9.]+ ms/.test(facts), `${L} uptime and latency percentiles are shown`, facts);
        ok(await page.locator('code.hash').count() >= 1, `${L} the kept page version is listed with its hash`);
        await shot('monitor');
    });

    await step(`${L} an officer adds a monitor from the console and changes it; bad input is refused by name`, async () => {
        await navTo('nav.monitors');
        await button('mon.add').click();
        const form = page.locator('form[aria-labelledby="m-add"]');
        await form.getByLabel('URL').fill(srv.news.url);
        await form.getByLabel(D['mon.asset']).fill('新闻动态页');
        await form.getByLabel(D['mon.interval_s']).fill('3600');
        await form.getByLabel(D['mon.allow']).fill('cdn.example.cn, *.gov.cn');
        ok((await allLabelled()).length === 0, `${L} every control of the monitor form has a label`, (await allLabelled()).join('\n'));
        await shot('monitor-add');
        await button('mon.add', form).click();
        await page.waitForURL(/#\/monitors\/3$/);
        ok(sql("SELECT url || '|' || asset || '|' || interval_s || '|' || allow FROM monitors WHERE id = 3") ===
            `${srv.news.url}|新闻动态页|3600|cdn.example.cn, *.gov.cn`, `${L} the monitor is stored as entered`);
        ok(sql("SELECT count(*) FROM audit WHERE action = 'monitor.add' AND actor = 'zhou' AND object = 'monitor:3'") === '1',
            `${L} adding it is audited with the officer's name`);
        await button('mon.edit').click();
        const edit = page.locator('form[aria-labelledby="m-edit"]');
        ok(await edit.getByLabel('URL').inputValue() === srv.news.url, `${L} the settings form shows the monitor's settings`);
        await edit.getByLabel(D['mon.expect_ips']).fill('127.0.0.1, 1.2.3');
        await button('common.save', edit).click();
        const alert = edit.getByRole('alert');
        await alert.waitFor();
        ok((await alert.textContent()).includes("'1.2.3'"), `${L} an address that is not one is refused, naming it`, await alert.textContent());
        await edit.getByLabel(D['mon.expect_ips']).fill('127.0.0.1');
        await edit.getByLabel(D['mon.keyword']).fill('新闻动态');
        await button('common.save', edit).click();
        await edit.waitFor({ state: 'detached' });
        ok(sql("SELECT keyword || '|' || expect_ips FROM monitors WHERE id = 3") === '新闻动态|127.0.0.1', `${L} the change is stored`);
        ok((await page.locator('dl.facts').textContent()).includes('新闻动态'), `${L} the page shows the new keyword`);
    });

    await step(`${L} two kept versions of a page are compared side by side, the injected block marked in words`, async () => {
        await runMonitor(3);
        srv.news.body = NEWS_PAGE(NEWS_TAMPER);
        await runMonitor(3);
        ok(sql('SELECT count(*) FROM probe_pages WHERE monitor_id = 3') === '2', `${L} both versions of the page are kept`);
        await page.reload();
        const pages = page.locator('table.pages tbody tr');
        await pages.nth(1).waitFor();
        await page.getByRole('button', { name: D['mon.compare_label'].replace('{n}', '2'), exact: true }).click();
        const diff = page.locator('table.diff');
        await diff.waitFor();
        const changed = await diff.locator('tr.ins, tr.mod, tr.del').allTextContents();
        ok(changed.length === 1 && changed[0].includes('澳门博彩') && changed[0].includes(D['diff.ins']),
            `${L} the one added line is shown, marked ${D['diff.ins']}`, changed.join('\n'));
        const same = await diff.locator('tr.same').count(), gaps = await diff.locator('tr.gap').allTextContents();
        ok(same === 6 && gaps.length === 2, `${L} only the lines around it are shown; the unchanged stretches are counted`, `${same} ${gaps.join('|')}`);
        await shot('monitor-diff');
    });

    await step(`${L} a monitor is disabled and then removed, after a confirmation`, async () => {
        await button('mon.disable').click();
        await page.locator('h1 .badge.mon-disabled').waitFor();
        ok(sql('SELECT enabled FROM monitors WHERE id = 3') === '0', `${L} it is disabled`);
        await button('mon.remove').click();
        const confirm = page.getByRole('group', { name: D['mon.remove_confirm'] });
        await button('mon.remove', confirm).click();
        await page.waitForURL(/#\/monitors$/);
        await page.locator('table.monitors').waitFor();
        ok(sql('SELECT count(*) FROM monitors WHERE id = 3') === '0' &&
            sql("SELECT count(*) FROM audit WHERE action = 'monitor.rm' AND actor = 'zhou'") === '1', `${L} it is removed, and that is audited`);
        ok(await page.locator('table.monitors tbody tr').count() === 2, `${L} the list shows the two monitors left`);
    });

    await step(`${L} a tampered page is put back by the guard, and the guard page shows both hashes`, async () => {
        const index = path.join(srv.site, 'index.html');
        const hacked = '<h1>hacked by someone</h1>\n';
        // the guard is watching once the page shows the directory
        await navTo('nav.guard');
        await page.locator('table.guard-dirs tr[data-state="intact"]').waitFor();
        fs.writeFileSync(index, hacked);
        const until = Date.now() + 10000;
        while (fs.readFileSync(index, 'utf8') !== SITE_PAGE && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
        ok(fs.readFileSync(index, 'utf8') === SITE_PAGE, `${L} the guard put the original back`);
        const row = page.locator('table.guard-events tr[data-action="restored"]').filter({ hasText: 'index.html' });
        await row.waitFor({ timeout: 20000 });
        const hashes = await row.locator('code.hash').allTextContents();
        ok(hashes[0] === sha256(SITE_PAGE) && hashes[1] === sha256(hacked), `${L} before and after are the original's and the attacker's hashes`, hashes.join(' '));
        ok((await row.textContent()).includes(D['guard.act.restored']), `${L} the action is said in words`);
        await page.locator('table.guard-dirs tr[data-state="intact"]').waitFor();
        await shot('guard');
    });

    await step(`${L} in a publishing window an update stays, and the window and an accepted file are audited`, async () => {
        const dir = page.locator('table.guard-dirs tr').filter({ hasText: srv.site });
        await dir.getByLabel(D['guard.minutes']).fill('5');
        await button('guard.publish', dir).click();
        await dir.locator('.publishing').waitFor();
        const index = path.join(srv.site, 'index.html');
        const update = SITE_PAGE.replace('欢迎访问', '欢迎访问（新版）');
        fs.writeFileSync(index, update);
        await new Promise((r) => setTimeout(r, 1500));
        ok(fs.readFileSync(index, 'utf8') === update, `${L} the authorised update was not reverted`);
        ok(sql("SELECT count(*) FROM audit WHERE action = 'guard.publish' AND actor = 'zhou'") === '1', `${L} the window is audited with the officer's name`);
        // accepting a file through the API the page uses
        const status = await page.evaluate(async (p) => {
            const s = await (await fetch('/api/v1/session')).json();
            const r = await fetch('/api/v1/guard/accept', { method: 'POST', headers: { 'Content-Type': 'application/json',
                'X-CSRF-Token': s.csrf_token }, body: JSON.stringify({ paths: [p] }) });
            return r.status;
        }, index);
        ok(status === 200 && sql("SELECT count(*) FROM audit WHERE action = 'guard.accept' AND actor = 'zhou'") === '1',
            `${L} a file accepted into the baseline is audited`, status);
        await shot('guard-publish');
    });

    await step(`${L} a change the guard only reported is accepted from the guard page`, async () => {
        const dir = path.join(srv.data, 'oa-static');
        fs.mkdirSync(dir);
        const file = path.join(dir, 'notice.html');
        fs.writeFileSync(file, '<p>v1</p>\n');
        const guard = spawn(TOCSIN, ['--data', srv.data, 'guard', dir, '--mode', 'alert-only'], { stdio: ['ignore', 'ignore', 'pipe'] });
        try {
            let log = '';
            guard.stderr.on('data', (b) => { log += b; });
            const until = Date.now() + 10000;
            while (!log.includes('watching') && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
            fs.writeFileSync(file, '<p>v2, published by hand</p>\n');
            const row = page.locator('table.guard-events tr[data-action="alerted"]').filter({ hasText: 'notice.html' });
            await row.waitFor({ timeout: 20000 });
            ok(fs.readFileSync(file, 'utf8').includes('v2'), `${L} in alert-only mode the change is left in place`);
            await row.getByRole('button', { name: D['guard.accept_label'].replace('{path}', file), exact: true }).click();
            await row.getByRole('status').filter({ hasText: D['guard.accepted'] }).waitFor();
            ok(sql("SELECT count(*) FROM audit WHERE action = 'guard.accept' AND actor = 'zhou'") === '2', `${L} accepting it is audited`);
            let scan = 0;
            try {
                execFileSync(TOCSIN, ['--data', srv.data, 'scan', dir], { stdio: 'ignore' });
            } catch (e) {
                scan = e.status;
            }
            ok(scan === 0, `${L} the accepted content is the baseline now (scan finds no change)`, scan);
            await shot('guard-accept');
        } finally {
            await new Promise((r) => { guard.once('exit', r); guard.kill('SIGTERM'); });
        }
    });

    await step(`${L} the preparedness page lists the register and runs a verified backup`, async () => {
        const goodRuns = () => Number(execFileSync('sqlite3', [path.join(srv.data, 'tocsin.db'),
            "SELECT count(*) FROM backup_runs WHERE state = 'good'"], { encoding: 'utf8' }).trim());
        await navTo('nav.prep');
        const hazards = await page.locator('#p-hazards table').textContent();
        ok(hazards.includes('HZD-0001') && hazards.includes(D['prep.sev.high']), `${L} the hazard register shows the hazard and its severity`, hazards);
        ok((await page.locator('#p-supplies table').textContent()).includes('备用服务器'), `${L} the supplies are listed`);
        const before = goodRuns();
        const row = page.locator('#p-backups tr').filter({ hasText: 'tocsin' });
        await button('prep.backup_run', row).click();
        const until = Date.now() + 20000;
        while (goodRuns() <= before && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
        ok(goodRuns() === before + 1, `${L} the backup ran under tocsin serve and was verified`, `${before} → ${goodRuns()}`);
        await page.reload();
        await page.locator('#p-backups tr').filter({ hasText: D['prep.run.good'] }).first().waitFor();
        await shot('prep');
    });

    await step(`${L} the officer enters a hazard and starts its remediation from the preparedness page`, async () => {
        await button('pf.hazard_add').click();
        const form = page.locator('form[aria-labelledby="pf-hz"]');
        await form.getByLabel(D['prep.title'], { exact: true }).fill('机房门禁失效');
        await form.getByRole('combobox', { name: new RegExp('^' + D['prep.severity']) }).selectOption('high');
        await form.getByLabel(D['prep.department']).fill('办公室');
        ok((await allLabelled()).length === 0, `${L} every control of the hazard form has a label`, (await allLabelled()).join('\n'));
        await button('pf.hazard_add', form).click();
        const row = page.locator('#p-hazards table tr').filter({ hasText: '机房门禁失效' });
        await row.waitFor();
        const hz = sql("SELECT ref || '|' || severity || '|' || department FROM hazards WHERE title = '机房门禁失效'");
        ok(hz.endsWith('|high|办公室'), `${L} the hazard is registered as entered`, hz);
        await row.getByLabel(D['pf.note_for'].replace('{ref}', hz.split('|')[0])).fill('已联系厂商');
        await button('pf.hz.remediating', row).click();
        await button('pf.hz.fixed', row).waitFor();
        ok(sql("SELECT status FROM hazards WHERE title = '机房门禁失效'") === 'remediating', `${L} its remediation is under way`);
    });

    await step(`${L} a security check is carried out item by item, with a file kept as its evidence`, async () => {
        const row = page.locator('#p-checks tr').filter({ hasText: '每日安全检查' });
        await button('pf.run_start', row).click();
        const panel = page.locator('section[aria-labelledby="pf-run"]');
        await panel.waitFor();
        const items = panel.locator('ol.check-items > li');
        await items.nth(1).waitFor();
        await button('pf.record', items.nth(0)).click();
        await items.nth(0).locator('.status').waitFor();
        await items.nth(1).getByLabel(D['pf.result_for'].replace('{n}', '2')).selectOption('fail');
        await items.nth(1).getByLabel(D['pf.note_for'].replace('{ref}', '2')).fill('发现一条临时放行策略未撤销');
        await button('pf.record', items.nth(1)).click();
        await items.nth(1).locator('.status').waitFor();
        const shotBytes = Buffer.from('防火墙策略截图 ' + lang);
        await panel.getByLabel(D['pf.attach_evidence']).setInputFiles({ name: 'firewall.txt', mimeType: 'text/plain', buffer: shotBytes });
        await button('pf.attach', panel).click();
        const link = panel.locator('ul.files a', { hasText: 'firewall.txt' });
        await link.waitFor();
        const got = await page.evaluate(async (href) => Array.from(new Uint8Array(await (await fetch(href)).arrayBuffer())), await link.getAttribute('href'));
        ok(Buffer.from(got).equals(shotBytes), `${L} the evidence file downloads byte for byte`);
        ok(sql("SELECT count(*) FROM audit WHERE action = 'file.add' AND actor = 'zhou'") === '1', `${L} keeping it is audited`);
        await button('pf.run_finish', panel).click();
        await panel.getByRole('status').waitFor();
        ok(sql("SELECT result FROM check_runs ORDER BY id DESC LIMIT 1") === 'fail', `${L} the run failed, as one item did`);
        await items.nth(1).getByLabel(D['pf.hazard_dept'].replace('{n}', '2')).fill('办公室');
        await button('pf.to_hazard', items.nth(1)).click();
        await items.nth(1).locator('.badge', { hasText: 'HZD-' }).waitFor();
        ok(sql("SELECT h.title LIKE '%防火墙策略未被改动%' FROM check_results r JOIN hazards h ON h.ref = r.hazard WHERE r.hazard != ''") === '1',
            `${L} the failed item becomes a hazard in one step, carrying the item`);
        ok((await allLabelled()).length === 0, `${L} every control of the check has a label`, (await allLabelled()).join('\n'));
        await shot('prep-check');
    });

    await step(`${L} a training is recorded with its material, and a drill planned, from the page`, async () => {
        await button('pf.training_add').click();
        const tf = page.locator('form[aria-labelledby="pf-tr"]');
        await tf.getByLabel(D['pf.topic']).fill('网络安全法与日常防护');
        await tf.getByLabel(D['prep.trainer']).fill('市网信办讲师');
        await button('pf.training_add', tf).click();
        const row = page.locator('#p-training table tr').filter({ hasText: '网络安全法与日常防护' });
        await row.waitFor();
        await button('pf.materials', row).click();
        const trn = sql("SELECT ref FROM trainings WHERE topic = '网络安全法与日常防护'");
        await row.getByLabel(D['pf.attach_material'].replace('{ref}', trn)).setInputFiles({ name: '课件.txt', mimeType: 'text/plain', buffer: Buffer.from('课件') });
        await button('pf.attach', row).click();
        await row.locator('ul.files a', { hasText: '课件.txt' }).waitFor();
        ok(sql(`SELECT count(*) FROM prep_files WHERE owner = 'training' AND ref = '${trn}'`) === '1', `${L} the material is kept with the training`);
        await button('pf.drill_plan').click();
        const df = page.locator('form[aria-labelledby="pf-dr"]');
        await df.getByLabel(D['prep.title'], { exact: true }).fill('网络安全综合应急演练');
        await df.getByRole('combobox', { name: new RegExp('^' + D['prep.form']) }).selectOption('hands-on');
        await df.getByLabel(D['pf.script']).fill('T+0 门户网站 information-destruction/tampering tampered 首页被替换\nT+5m OA系统 bogus - x');
        await df.getByLabel(D['pf.participants']).fill('zhou, lead');
        await button('pf.drill_plan', df).click();
        const alert = df.getByRole('alert');
        await alert.waitFor();
        ok((await alert.textContent()).includes('line 2'), `${L} a script with a bad line is refused, naming the line`, await alert.textContent());
        await df.getByLabel(D['pf.script']).fill('T+0 门户网站 information-destruction/tampering tampered 首页被替换\nT+5m OA系统 equipment-failure down OA系统停止响应');
        await button('pf.drill_plan', df).click();
        await page.locator('#p-drills table tr').filter({ hasText: '网络安全综合应急演练' }).waitFor();
        ok(sql("SELECT form || '|' || status FROM drills WHERE title = '网络安全综合应急演练'") === 'hands-on|planned', `${L} the drill is planned as entered`);
        await shot('prep-forms');
    });

    await step(`${L} a checklist is defined, a risk assessment recorded and a training's attendance entered`, async () => {
        await button('pf.checklist_add').click();
        const cf = page.locator('form[aria-labelledby="pf-cl"]');
        await cf.getByLabel(D['prep.title'], { exact: true }).fill('每周安全检查');
        await cf.getByRole('combobox', { name: new RegExp('^' + D['prep.schedule']) }).selectOption('weekly');
        await cf.locator('textarea').fill('服务器补丁已更新 | 无高危漏洞\n机房温湿度正常');
        await cf.getByLabel(D['pf.auto.backups-good']).check();
        ok((await allLabelled()).length === 0, `${L} every control of the checklist form has a label`, (await allLabelled()).join('\n'));
        await button('pf.checklist_add', cf).click();
        await page.locator('#p-checks table tr').filter({ hasText: '每周安全检查' }).waitFor();
        ok(sql("SELECT schedule || '|' || (SELECT group_concat(coalesce(nullif(auto, ''), text) || ':' || expected, ';') FROM checklist_items i WHERE i.checklist_id = c.id) FROM checklists c WHERE name = '每周安全检查'")
            === 'weekly|服务器补丁已更新:无高危漏洞;机房温湿度正常:;backups-good:', `${L} the checklist is stored with its items and the automatic one`,
        sql("SELECT group_concat(coalesce(nullif(auto, ''), text) || ':' || expected, ';') FROM checklist_items"));
        await button('pf.risk_add').click();
        const rf = page.locator('form[aria-labelledby="pf-rk"]');
        await rf.getByLabel(D['prep.asset'], { exact: true }).fill('门户网站');
        await rf.getByLabel(D['pf.threat'], { exact: true }).fill('网页篡改');
        await rf.getByRole('combobox', { name: new RegExp('^' + D['pf.likelihood'].replace(/[()（）]/g, '.')) }).selectOption('4');
        await rf.getByRole('combobox', { name: new RegExp('^' + D['pf.impact'].replace(/[()（）]/g, '.')) }).selectOption('5');
        await rf.getByLabel(D['pf.treatment'], { exact: true }).fill('部署网页防篡改');
        await rf.getByLabel(D['pf.owner'], { exact: true }).fill('办公室');
        ok((await rf.locator('legend').textContent()).includes('20'), `${L} the score is shown as the threat is rated`);
        await button('pf.risk_add', rf).click();
        const risk = page.locator('#p-risk table tr').filter({ hasText: '门户网站' });
        await risk.waitFor();
        ok((await risk.textContent()).includes('4×5=20'), `${L} the assessment is listed with its score`, await risk.textContent());
        const trn = sql("SELECT ref FROM trainings WHERE topic = '网络安全法与日常防护'");
        const tr = page.locator('#p-training table tr').filter({ hasText: '网络安全法与日常防护' });
        await tr.getByLabel(D['pf.attend_users'].replace('{ref}', trn)).fill('xc');
        await tr.getByLabel(D['pf.attend_people'].replace('{ref}', trn)).fill('李四@财务处');
        await button('pf.attend', tr).click();
        const until = Date.now() + 10000;
        while (sql(`SELECT count(*) FROM training_attendees a JOIN trainings t ON t.id = a.training_id WHERE t.ref = '${trn}'`) !== '2' && Date.now() < until) {
            await new Promise((r) => setTimeout(r, 100));
        }
        ok(sql(`SELECT group_concat(person || '@' || department, ';') FROM (SELECT person, department FROM training_attendees a JOIN trainings t ON t.id = a.training_id WHERE t.ref = '${trn}' ORDER BY person)`)
            === 'xc@宣传部;李四@财务处', `${L} the attendees are recorded, users with their department`);
    });

    await step(`${L} the officer sees the proposal with its level reasons and accepts it`, async () => {
        await navTo('nav.dashboard');
        await navTo('nav.triage');
        const card = page.locator('article.proposal').filter({ hasText: '门户首页被篡改' });
        await card.waitFor();
        const reasons = await card.locator('ul.reasons li').allTextContents();
        ok(reasons.length > 0 && reasons.every((r) => /\S/.test(r)), `${L} the proposal shows its level and why`, reasons.join('\n'));
        await shot('triage');
        await button('triage.accept', card).click();
        await page.waitForURL(/#\/incidents\/INC-/);
        ref = decodeURIComponent(page.url().split('#/incidents/')[1]);
        await page.getByRole('heading', { level: 1 }).filter({ hasText: ref }).waitFor();
    });

    await step(`${L} the officer raises the level with a reason; the upward report falls due`, async () => {
        // a select's accessible name is its label followed by the chosen option
        await page.getByRole('combobox', { name: new RegExp('^' + D['inc.level'] + '(\\s|$)') }).selectOption('III');
        await page.getByLabel(D['inc.level_reason'], { exact: true }).fill('首页被篡改且公众可见');
        await button('inc.set_level').click();
        await page.locator('.headline .badge.level-III').waitFor();
        await page.locator('article.report').first().waitFor();
        ok(await page.locator('ol.timeline').textContent().then((t) => t.includes('首页被篡改且公众可见')), `${L} the timeline records the reason`);
    });

    await step(`${L} the officer starts the response and works every task`, async () => {
        // accepting a proposal acknowledges it; the button is there only when it did not
        if (await button('inc.ack').count()) await button('inc.ack').click();
        ok(await page.locator('dl.facts time').count() >= 2, `${L} the incident shows when it was acknowledged`);
        await button('inc.to.responding').click();
        await page.locator('.headline .status').filter({ hasText: D['status.responding'] }).waitFor();
        const tasks = page.locator('li.task');
        const count = await tasks.count();
        ok(count >= 3, `${L} the playbook gave the incident its tasks (${count})`);
        for (let i = 0; i < count; i++) {
            const open = page.locator('li.task:not(.done)').first();
            await open.getByLabel(D['task.note']).fill('已处理 ' + (i + 1));
            await button('task.mark_done', open).click();
            await page.waitForFunction((want) => document.querySelectorAll('li.task.done').length >= want, i + 1);
        }
        ok(await page.locator('li.task:not(.done)').count() === 0, `${L} all tasks are done`);
    });

    await step(`${L} evidence is uploaded, shown with its SHA-256, and downloads byte for byte`, async () => {
        const content = Buffer.from('<html><body>被篡改的首页 ' + lang + ' ' + Date.now() + '</body></html>\n');
        const sum = sha256(content);
        await page.getByLabel(D['ev.file']).setInputFiles({ name: 'defaced-index.html', mimeType: 'text/html', buffer: content });
        await page.getByLabel(D['ev.note'], { exact: true }).fill('篡改后的首页');
        await button('ev.upload').click();
        const row = page.locator('table.evidence tr').filter({ hasText: 'defaced-index.html' });
        await row.waitFor();
        ok((await row.locator('code.hash').textContent()).trim() === sum, `${L} the page shows the file's own SHA-256`);
        const [download] = await Promise.all([page.waitForEvent('download'), row.getByRole('link', { name: D['ev.download'] }).click()]);
        const got = fs.readFileSync(await download.path());
        ok(Buffer.compare(got, content) === 0, `${L} the download is the uploaded file`);
        await button('ev.verify').click();
        const rows = await page.locator('table.evidence tbody tr').count();
        await page.getByRole('status').filter({ hasText: D['ev.verified'].replace('{n}', rows) }).waitFor();
    });

    await step(`${L} the upward report is edited and marked sent`, async () => {
        const rep = page.locator('article.report').first();
        const area = rep.getByLabel(D['rep.text']);
        const text = await area.inputValue();
        ok(text.includes(ref), `${L} the report draft names the incident`);
        await area.fill(text + '\n补充：已恢复首页。');
        await button('common.save', rep).click();
        await rep.getByLabel(D['rep.sent_to']).fill('市网络安全应急办公室张科长');
        await button('rep.mark_sent', rep).click();
        await page.locator('article.report .badge.ok').first().waitFor();
        ok((await page.locator('article.report pre.doc').first().textContent()).includes('补充：已恢复首页。'), `${L} the sent report keeps the edit`);
    });

    await step(`${L} a statement is drafted and submitted for approval`, async () => {
        await page.getByRole('textbox', { name: D['st.text'], exact: true }).fill('我单位门户网站首页一度被篡改，现已恢复正常访问。');
        await button('st.draft').click();
        await button('st.submit').click();
        await page.locator('ul.statements .status').filter({ hasText: D['sts.pending'] }).waitFor();
        ok((await allLabelled()).length === 0, `${L} every control of the incident page has a label`);
        await shot('incident');
    });

    let wref = '';
    await step(`${L} the officer drafts an orange warning and submits it`, async () => {
        await navTo('nav.warnings');
        await button('w.new').click();
        await page.getByLabel(D['w.colour']).selectOption('orange');
        await page.getByLabel(D['w.category']).selectOption('network-attack');
        await page.getByLabel(D['w.scope']).fill('门户网站及各部门子站');
        await page.getByLabel(D['w.items']).fill('境外组织针对政府网站的篡改攻击');
        await page.getByLabel(D['w.measure']).fill('加强监测，每日巡检网页');
        await page.getByLabel(D['w.issuer']).fill('网络安全应急领导小组办公室');
        await button('w.draft').click();
        await page.waitForURL(/#\/warnings\/WRN-/);
        wref = decodeURIComponent(page.url().split('#/warnings/')[1]);
        await button('w.submit').click();
        await page.getByText(D['w.waiting']).waitFor();
        await shot('warning');
        await signOut();
    });

    await step(`${L} a leader approves the warning and the statement from the inbox`, async () => {
        await signIn('lead');
        await navTo('nav.approvals');
        const pending = page.locator('ul.plain > li');
        await pending.first().waitFor();
        ok(await pending.count() === 2, `${L} two decisions wait for the leader`, await pending.count());
        await shot('approvals');
        for (let i = 0; i < 2; i++) {
            const item = pending.first();
            await item.getByLabel(D['appr.reason']).fill('同意');
            await button('appr.approve', item).click();
            await page.waitForFunction((want) => document.querySelectorAll('ul.plain > li').length === want, 1 - i);
        }
        await signOut();
    });

    await step(`${L} the officer publishes it: the banner turns orange, in words too`, async () => {
        await signIn('zhou', '#/warnings/' + wref);
        await button('w.publish').click();
        const banner = page.locator('.banner[data-colour="orange"]');
        await banner.waitFor({ timeout: 5000 }); // at once: the banner polls only every 15 s
        ok((await banner.textContent()).includes(D['colour.orange']), `${L} the banner names the colour`);
        await page.goto(srv.base + '/#/dashboard');
        await page.getByRole('heading', { level: 1, name: D['nav.dashboard'] }).waitFor();
        await shot('dashboard');
    });

    await step(`${L} the warning is lifted and the banner clears`, async () => {
        await page.goto(srv.base + '/#/warnings/' + wref);
        await page.getByLabel(D['w.lift_reason']).fill('攻击活动已平息');
        await button('w.lift').click();
        await page.locator('.headline .status').filter({ hasText: D['ws.lifted'] }).waitFor();
        await page.locator('.banner[data-colour="none"]').waitFor({ timeout: 5000 });
    });

    await step(`${L} the approved statement is released`, async () => {
        await page.goto(srv.base + '/#/incidents/' + ref);
        await button('st.release').click();
        await page.locator('ul.statements .status').filter({ hasText: D['sts.released'] }).waitFor();
    });

    await step(`${L} the response ends and the assessment is completed within its 30 days`, async () => {
        await button('inc.to.recovered').click();
        await button('inc.to.closed').click();
        await page.locator('.headline .status').filter({ hasText: D['status.closed'] }).waitFor();
        const clock = await page.locator('#i-as ~ p[role="status"]').textContent();
        ok(/\b(29|30)\b/.test(clock), `${L} the assessment clock shows the days left`, clock);
        const fields = { 'as.cause': '弱口令被利用', 'as.nature': '外部攻击篡改网页', 'as.impact': '首页约两小时不可信',
            'as.responsibility': '运维单位未及时修改默认口令', 'as.handling': '处置及时，按预案上报', 'as.improvements': '启用双因素认证' };
        for (const [key, value] of Object.entries(fields)) await page.getByLabel(D[key]).fill(value);
        await button('as.complete').click();
        await page.locator('.headline .status').filter({ hasText: D['status.assessed'] }).waitFor();
    });

    // Printed, a page keeps its record and drops the navigation, banner, forms and buttons.
    const printed = async (name) => {
        await page.emulateMedia({ media: 'print' });
        try {
            const shown = await page.evaluate(() => {
                const visible = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
                return {
                    chrome: [...document.querySelectorAll('header.top, nav, .banner, form, button')].filter(visible).length,
                    heading: visible(document.querySelector('h1')),
                    text: document.querySelector('main').innerText.length,
                };
            });
            await page.pdf({ path: path.join(OUT, `${lang}-${name}.pdf`), format: 'A4' });
            return shown.chrome === 0 && shown.heading && shown.text > 200;
        } finally {
            await page.emulateMedia({ media: null });
        }
    };

    await step(`${L} the incident prints as a record, without navigation or forms`, () => printed('incident-print'));

    await step(`${L} the warning prints as a notice, without navigation or forms`, async () => {
        await page.goto(srv.base + '/#/warnings/' + wref);
        await page.locator('.headline .status').filter({ hasText: D['ws.lifted'] }).waitFor();
        const r = await printed('warning-print');
        await signOut();
        return r;
    });

    await step(`${L} an administrator sets up a notification channel and a route, and a test message is delivered`, async () => {
        await signIn('adm');
        await navTo('nav.settings');
        ok((await page.locator('section[aria-labelledby="s-org"]').textContent()).includes('示范开发区管委会'), `${L} the organisation is named`);
        const add = page.locator('form[aria-labelledby="s-ch-add"]');
        await add.getByLabel(D['set.channel_name']).fill('值班群');
        await add.locator('select').selectOption('webhook');
        await add.getByLabel(D['set.config']).fill('{"url": ');
        await button('set.channel_add', add).click();
        ok((await add.getByRole('alert').textContent()) === D['set.config_json'], `${L} a configuration that is not JSON is refused before sending`);
        await add.getByLabel(D['set.config']).fill(JSON.stringify({ url: srv.news.hook, secret: 'hook-secret-7c1f' }));
        await button('set.channel_add', add).click();
        const row = page.locator('table.channels tr[data-channel="值班群"]');
        await row.waitFor();
        ok(!(await row.textContent()).includes('hook-secret-7c1f'), `${L} the channel is listed with its secret masked`);
        const rt = page.locator('form[aria-labelledby="s-rt-add"]');
        await rt.getByLabel(D['set.trigger']).selectOption('incident');
        await rt.getByLabel(D['set.min_level']).selectOption('II');
        await rt.getByLabel(D['user.role']).selectOption('leader');
        await rt.getByLabel(D['set.channel']).selectOption('值班群');
        ok((await allLabelled()).length === 0, `${L} every control of the settings page has a label`, (await allLabelled()).join('\n'));
        await button('set.route_add', rt).click();
        const route = page.locator('table.routes tbody tr');
        await route.waitFor();
        const routeText = await route.textContent();
        ok(routeText.includes(D['set.trigger.incident']) && routeText.includes(D['level.II']) && routeText.includes('值班群'),
            `${L} the route is listed in words`, routeText);
        await button('set.test', row).click();
        await row.getByRole('status').waitFor();
        const until = Date.now() + 20000;
        while (!srv.news.hooks.length && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
        const hook = srv.news.hooks[0];
        ok(hook && /^sha256=[0-9a-f]{64}$/.test(hook.headers['x-tocsin-signature'] || '') && JSON.parse(hook.body).object === 'test',
            `${L} the test message reaches the receiver, signed`, hook && hook.body);
        await page.reload();
        await page.locator('table.outbox tr[data-status="sent"]').waitFor();
        await shot('settings');
        await signOut();
    });

    await step(`${L} the auditor verifies the audit log`, async () => {
        await signIn('aud');
        await navTo('nav.audit');
        await page.locator('table.audit tbody tr').first().waitFor();
        ok(await page.locator('table.audit tbody tr').count() > 20, `${L} the audit log lists what was done`);
        await button('audit.verify').click();
        const verdict = page.locator('p.verdict');
        await verdict.waitFor();
        ok(await verdict.evaluate((el) => el.classList.contains('ok')), `${L} the audit log's hash chain verifies`, await verdict.textContent());
        await shot('audit');
    });

    await step(`${L} the auditor reads the year's statistics, drills left out, and prints them`, async () => {
        await navTo('nav.stats');
        const total = page.locator('p.big[data-total]');
        await total.waitFor();
        const real = sql("SELECT count(*) FROM incidents WHERE is_drill = 0 AND strftime('%Y', created_at / 1000, 'unixepoch', '+8 hours') = strftime('%Y', 'now', '+8 hours')");
        ok(await total.getAttribute('data-total') === real && Number(real) >= 1, `${L} the incidents of the year are counted`, real);
        const row = page.locator('table.stats-categories tr[data-category="information-destruction"]');
        ok((await row.textContent()).includes(D['category.information-destruction']), `${L} the categories carry the plan's names`);
        ok((await page.locator('[role="note"]').textContent()) === D['stats.no_drills'], `${L} the page says drills are left out`);
        ok((await allLabelled()).length === 0, `${L} the year selector has a label`);
        await shot('stats');
        return printed('stats-print');
    });

    await step(`${L} on a phone the dashboard fits the screen`, async () => {
        await signOut();
        await signIn('zhou');
        await page.setViewportSize({ width: 390, height: 844 });
        await page.getByRole('heading', { level: 1, name: D['nav.dashboard'] }).waitFor();
        const fits = await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);
        await shot('dashboard-phone');
        return fits;
    });

    await step(`${L} the keyboard reaches the navigation with a visible focus`, async () => {
        await page.setViewportSize({ width: 1280, height: 800 });
        await page.goto(srv.base + '/#/dashboard');
        await page.getByRole('heading', { level: 1, name: D['nav.dashboard'] }).waitFor();
        for (let i = 0; i < 3; i++) await page.keyboard.press('Tab');
        const focus = await page.evaluate(() => {
            const el = document.activeElement;
            const st = getComputedStyle(el);
            return { tag: el.tagName, outline: st.outlineStyle, inNav: !!el.closest('nav, header') };
        });
        return focus.tag === 'A' && focus.inNav && focus.outline !== 'none';
    });

    await step(`${L} the planned drill is started; its incident's upward report is drafted as practice`, async () => {
        await page.goto(srv.base + '/#/prep');
        const row = page.locator('#p-drills table tr').filter({ hasText: '网络安全综合应急演练' });
        await button('pf.drill_start', row).click();
        await button('pf.drill_finish', row).waitFor();
        // tocsin serve feeds the T+0 injection through the real intake; the officer triages it
        await navTo('nav.triage');
        const card = page.locator('article.proposal').filter({ hasText: '首页被替换' });
        await card.waitFor({ timeout: 20000 });
        await button('triage.accept', card).click();
        await page.waitForURL(/#\/incidents\/INC-/);
        const dref = decodeURIComponent(page.url().split('#/incidents/')[1]);
        await page.getByRole('heading', { level: 1 }).filter({ hasText: dref }).waitFor();
        ok(sql(`SELECT is_drill FROM incidents WHERE ref = '${dref}'`) === '1', `${L} the drill's incident is marked as a drill`);
        await button('inc.practice_draft').click();
        const doc = page.locator('section[aria-labelledby="i-prac"] pre.doc');
        await doc.waitFor();
        const text = await doc.textContent();
        ok(text.includes('【演练】') && text.includes(dref), `${L} the practice report is drafted in the official layout, marked as a drill's`, text.slice(0, 200));
        ok(sql(`SELECT count(*) FROM reports r JOIN incidents i ON i.id = r.incident_id WHERE i.ref = '${dref}'`) === '0' &&
            sql('SELECT count(*) FROM drill_reports') === '1', `${L} it is kept with the drill, not among the reports to send`);
        await page.goto(srv.base + '/#/prep');
        const drow = page.locator('#p-drills table tr').filter({ hasText: '网络安全综合应急演练' });
        await drow.getByRole('button', { name: D['pf.drill_report'], exact: true }).click();
        const rep = page.locator('section.drill-report');
        const stepRow = rep.locator('table.steps tr').filter({ hasText: D['pf.step.upward_report_drafted'] });
        await stepRow.waitFor();
        ok(/\d/.test(await stepRow.textContent()) && ((await stepRow.textContent()).includes(D['pf.met']) || (await stepRow.textContent()).includes(D['pf.missed'])),
            `${L} the drill's report times the drafting against the plan's deadline, in words`, await stepRow.textContent());
        await rep.getByLabel(D['pf.finding'], { exact: true }).fill('夜间值班电话无人接听');
        await rep.getByLabel(D['prep.department'], { exact: true }).fill('办公室');
        await button('pf.finding_add', rep).click();
        await rep.locator('ul.findings li', { hasText: '夜间值班电话无人接听' }).waitFor();
        await button('pf.finding_done', rep).click();
        await rep.locator('ul.findings li .ok').waitFor();
        ok(sql("SELECT done_by FROM drill_findings WHERE text = '夜间值班电话无人接听'") === 'zhou', `${L} a finding is recorded and its action marked done`);
        await shot('drill-practice');
    });

    await step(`${L} a supply is added and requested for an open incident; a leader records a plan version with its document`, async () => {
        await page.goto(srv.base + '/#/prep');
        await button('pf.supply_add').click();
        const sf = page.locator('form[aria-labelledby="pf-su"]');
        await sf.getByLabel(D['prep.title'], { exact: true }).fill('应急笔记本电脑');
        await sf.getByLabel(D['prep.quantity'], { exact: true }).fill('3');
        await sf.getByLabel(D['prep.location'], { exact: true }).fill('二号库房');
        await button('pf.supply_add', sf).click();
        const row = page.locator('#p-supplies table tr').filter({ hasText: '应急笔记本电脑' });
        await row.waitFor();
        const sup = sql("SELECT ref FROM supplies WHERE name = '应急笔记本电脑'");
        await row.getByLabel(D['pf.dispatch_qty'].replace('{ref}', sup)).fill('2');
        const open = sql("SELECT ref FROM incidents WHERE status NOT IN ('closed', 'assessed') ORDER BY id DESC LIMIT 1");
        await row.getByLabel(D['pf.dispatch_incident'].replace('{ref}', sup)).fill(open);
        await row.getByLabel(D['pf.dispatch_reason'].replace('{ref}', sup)).fill('更换被篡改的服务器');
        await button('pf.dispatch', row).click();
        await row.getByRole('status').waitFor();
        ok(sql(`SELECT quantity FROM supplies WHERE ref = '${sup}'`) === '3' &&
            sql("SELECT count(*) FROM approvals WHERE kind = 'dispatch' AND status = 'pending'") === '1',
            `${L} the dispatch waits for a leader's approval; no quantity moved yet`);
        await signOut();
        await signIn('lead');
        await navTo('nav.prep');
        await button('pf.plan_revise').click();
        const pf = page.locator('form[aria-labelledby="pf-pl"]');
        await pf.getByLabel(D['prep.version'], { exact: true }).fill('2027-01');
        await pf.getByLabel(D['prep.title'], { exact: true }).fill('网络与信息安全应急预案（修订）');
        await pf.getByLabel(D['prep.approved_by'], { exact: true }).fill('领导小组');
        await pf.locator('input[type="file"]').setInputFiles({ name: '预案2027.txt', mimeType: 'text/plain', buffer: Buffer.from('第一章 总则\n') });
        ok((await allLabelled()).length === 0, `${L} every control of the plan form has a label`, (await allLabelled()).join('\n'));
        await button('pf.plan_revise', pf).click();
        const prow = page.locator('#p-plan table tr').filter({ hasText: '2027-01' });
        await prow.locator('ul.files a', { hasText: '预案2027.txt' }).waitFor();
        ok(sql("SELECT document = (SELECT object FROM prep_files WHERE owner = 'plan' AND ref = '2027-01') AND recorded_by = 'lead' FROM plan_versions WHERE version = '2027-01'") === '1',
            `${L} the version is recorded by the leader with its document`);
        await shot('prep-plan');
    });

    ok(problems.length === 0, `${L} no script error and no Content-Security-Policy refusal in the console`, problems.join('\n'));
    await ctx.close();
    await srv.stop();
    fs.rmSync(srv.data, { recursive: true, force: true });
}

// ---- the interface's files as served ------------------------------------------

async function servingChecks() {
    const srv = await startServer();
    try {
        const res = await fetch(srv.base + '/');
        const csp = res.headers.get('content-security-policy') || '';
        ok(res.status === 200 && /script-src 'self'/.test(csp) && !/unsafe-inline/.test(csp), '/ is served with the strict Content-Security-Policy');
        const html = await res.text();
        ok(!/<script(?![^>]*\bsrc=)[^>]*>/.test(html) && !/\sstyle=/.test(html), 'the page has no inline script or style');
        const etag = res.headers.get('etag');
        const again = await fetch(srv.base + '/', { headers: { 'If-None-Match': etag } });
        ok(again.status === 304, 'a current copy is answered 304 Not Modified');
        const hooks = await (await fetch(srv.base + '/ui/vendor/hooks.js')).text();
        ok(hooks.includes('from"./preact.js"') && !hooks.includes('from"preact"'), "Preact's hooks import Preact beside them");
        for (const p of ['/ui/../tocsin.conf', '/ui/%2e%2e/tocsin.conf', '/ui/node_modules/preact/package.json', '/ui/package.json', '/ui/nothing.js']) {
            const r = await fetch(srv.base + p);
            ok(r.status === 404, `${p} is not served`, r.status);
        }
        const api = await fetch(srv.base + '/api/v1/incidents');
        ok(api.status === 401, 'the API still asks for a session');
    } finally {
        await srv.stop();
        fs.rmSync(srv.data, { recursive: true, force: true });
    }
}

fs.mkdirSync(OUT, { recursive: true });
dictionaryChecks();
await servingChecks();
const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
        '--disable-sync', '--no-first-run', '--disable-quic'],
});
const watchdog = setTimeout(() => { console.log('not ok - the browser tests took longer than 10 minutes'); process.exit(1); }, 600000);
try {
    await walkThrough(browser, 'zh');
    await walkThrough(browser, 'en');
} finally {
    await browser.close();
    clearTimeout(watchdog);
}
console.log(`# ${n - failed} passed, ${failed} failed; screenshots in ${OUT}`);
process.exit(failed ? 1 : 0);
