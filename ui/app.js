// The tocsin console: signs in, then routes (#/page/…) to the pages each role
// may use. Every string comes from the dictionaries; every datum from the API.
import { html, render, useState, useEffect } from './lib/html.js';
import { t, currentLang, setLang, onLang } from './lib/i18n.js';
import { get, api, setCsrf, onUnauthorized } from './lib/api.js';
import { setZone } from './lib/format.js';
import { useLoad, WARNINGS_CHANGED } from './lib/widgets.js';
import { Login } from './pages/login.js';
import { Dashboard } from './pages/dashboard.js';
import { Triage } from './pages/triage.js';
import { Incidents } from './pages/incidents.js';
import { Incident } from './pages/incident.js';
import { Warnings, Warning } from './pages/warnings.js';
import { Approvals } from './pages/approvals.js';
import { Audit } from './pages/audit.js';
import { Users } from './pages/users.js';
import { Monitors, Monitor } from './pages/monitors.js';
import { Guard } from './pages/guard.js';
import { Prep } from './pages/prep.js';
import { Report, MyTasks } from './pages/report.js';
import { Settings } from './pages/settings.js';
import { Stats } from './pages/stats.js';

// Pages: path, dictionary key, the permission that shows it (or a test).
const PAGES = [
    { path: 'dashboard', key: 'nav.dashboard', show: (me) => me.role !== 'department', view: Dashboard },
    { path: 'report', key: 'nav.report', show: (me) => me.role === 'department', view: Report },
    { path: 'tasks', key: 'nav.tasks', show: (me) => me.role === 'department', view: MyTasks },
    { path: 'triage', key: 'nav.triage', show: (me) => me.can('event.read'), view: Triage },
    { path: 'incidents', key: 'nav.incidents', show: () => true, view: Incidents, detail: Incident },
    { path: 'warnings', key: 'nav.warnings', show: (me) => me.role !== 'department', view: Warnings, detail: Warning },
    { path: 'monitors', key: 'nav.monitors', show: (me) => me.can('monitor.read'), view: Monitors, detail: Monitor },
    { path: 'guard', key: 'nav.guard', show: (me) => me.can('event.read'), view: Guard },
    { path: 'prep', key: 'nav.prep', show: (me) => me.role !== 'department', view: Prep },
    { path: 'stats', key: 'nav.stats', show: (me) => me.can('stats.read'), view: Stats },
    { path: 'approvals', key: 'nav.approvals', show: (me) => me.can('approval.decide'), view: Approvals },
    { path: 'audit', key: 'nav.audit', show: (me) => me.can('audit.read'), view: Audit },
    { path: 'users', key: 'nav.users', show: (me) => me.can('user.manage'), view: Users },
    { path: 'settings', key: 'nav.settings', show: (me) => me.can('notify.manage'), view: Settings },
];

function parseHash() {
    const parts = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
    return { page: parts[0] || '', arg: parts[1] || '' };
}

function useRoute() {
    const [route, setRoute] = useState(parseHash());
    useEffect(() => {
        const on = () => setRoute((was) => {
            const now = parseHash();
            return now.page === was.page && now.arg === was.arg ? was : now;
        });
        addEventListener('hashchange', on);
        // Effects run after the first paint: a page asked for in between (a
        // link followed the moment the console appeared) fired no listener.
        on();
        return () => removeEventListener('hashchange', on);
    }, []);
    return route;
}

const RANK = { red: 4, orange: 3, yellow: 2, blue: 1 };

// The colour of the highest warning in force, on every page, said in words.
function Banner() {
    const s = useLoad(() => get('/warnings?limit=200'), [], 15000);
    useEffect(() => {
        addEventListener(WARNINGS_CHANGED, s.reload);
        return () => removeEventListener(WARNINGS_CHANGED, s.reload);
    }, [s.reload]);
    const live = ((s.data && s.data.items) || []).filter((w) => w.status === 'published' && !w.drill);
    if (!live.length) {
        return html`<div class="banner banner-none" role="status" data-colour="none">${t('banner.none')}</div>`;
    }
    live.sort((a, b) => RANK[b.colour] - RANK[a.colour]);
    const top = live[0];
    return html`<div class=${'banner banner-' + top.colour} role="status" data-colour=${top.colour}>
        <strong>${t('banner.in_force', { colour: t('colour.' + top.colour) })}</strong>
        <a href=${'#/warnings/' + top.ref}>${top.ref}</a> · ${top.scope}
        ${live.length > 1 && html` · ${t('banner.more', { n: live.length - 1 })}`}
    </div>`;
}

function LangSwitch() {
    const other = currentLang() === 'zh' ? 'en' : 'zh';
    return html`<button type="button" class="link" lang=${other === 'en' ? 'en' : 'zh-CN'}
        onClick=${() => setLang(other)}>${t('lang.switch')}</button>`;
}

function Shell({ me, onSignOut }) {
    const route = useRoute();
    const pages = PAGES.filter((p) => p.show(me));
    let page = pages.find((p) => p.path === route.page);
    if (!page) page = pages[0];
    const View = route.arg && page.detail ? page.detail : page.view;
    useEffect(() => {
        document.title = t(page.key) + ' · tocsin';
    }, [page, currentLang()]);
    return html`
        <a class="skip" href="#main">${t('common.skip')}</a>
        <header class="top">
            <div class="brand"><span class="logo" aria-hidden="true"></span>
                <span>tocsin</span><span class="org">${me.organisation}</span></div>
            <nav aria-label=${t('nav.label')}>
                <ul>${pages.map((p) => html`<li><a href=${'#/' + p.path}
                    aria-current=${p === page ? 'page' : undefined}>${t(p.key)}</a></li>`)}</ul>
            </nav>
            <div class="who">
                <span>${me.display_name} · ${t('role.' + me.role)}</span>
                <${LangSwitch} />
                <button type="button" class="link" onClick=${onSignOut}>${t('common.sign_out')}</button>
            </div>
        </header>
        ${me.role !== 'department' && html`<${Banner} />`}
        <main id="main" tabindex="-1">
            <${View} me=${me} arg=${route.arg} key=${page.path + '/' + route.arg} />
        </main>`;
}

function App() {
    const [me, setMe] = useState(undefined); // undefined: asking; null: signed out
    const [, setLangTick] = useState(0);
    useEffect(() => onLang(() => setLangTick((n) => n + 1)), []);
    const signedIn = (s) => {
        setCsrf(s.csrf_token);
        setZone(s.timezone);
        const perms = new Set(s.permissions || []);
        setMe({ ...s, can: (p) => perms.has(p) });
    };
    useEffect(() => {
        onUnauthorized(() => setMe(null));
        get('/session').then(signedIn, () => setMe(null));
    }, []);
    const signOut = async () => {
        try {
            await api('DELETE', '/session');
        } finally {
            setCsrf(null);
            setMe(null);
            location.hash = '';
        }
    };
    if (me === undefined) return html`<p class="boot">${t('common.loading')}</p>`;
    if (me === null) return html`<${Login} onSignedIn=${signedIn} />`;
    return html`<${Shell} me=${me} onSignOut=${signOut} />`;
}

document.documentElement.lang = currentLang() === 'en' ? 'en' : 'zh-CN';
render(html`<${App} />`, document.getElementById('app'));
