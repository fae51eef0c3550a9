// At a glance: open incidents by level, what is due, the latest events and
// this year's drills. Refreshed every 10 s while visible.
import { html } from '../lib/html.js';
import { t } from '../lib/i18n.js';
import { get } from '../lib/api.js';
import { useLoad, Loading, LevelBadge, StatusBadge, Time, Empty, categoryName } from '../lib/widgets.js';
import { MonitorTable } from './monitors.js';
import { GuardDirs } from './guard.js';

const LEVELS = ['I', 'II', 'III', 'IV'];

function OpenIncidents() {
    const s = useLoad(() => get('/incidents?open=1&limit=200'), [], 10000);
    const items = (s.data && s.data.items) || [];
    const real = items.filter((i) => !i.drill);
    const count = (l) => real.filter((i) => i.level === l).length;
    return html`<section class="card" aria-labelledby="d-open">
        <h2 id="d-open">${t('dash.open_incidents')}</h2>
        <${Loading} state=${s} />
        <ul class="levels">${LEVELS.map((l) => html`<li class=${'lv lv-' + l}>
            <span class="n" data-level=${l}>${count(l)}</span> <${LevelBadge} level=${l} /></li>`)}
            <li class="lv lv-none"><span class="n" data-level="none">${real.filter((i) => !i.level).length}</span>
                <${LevelBadge} level="" /></li>
        </ul>
        ${s.data && (real.length ? html`<table>
            <caption class="sr">${t('dash.open_incidents')}</caption>
            <thead><tr><th>${t('inc.ref')}</th><th>${t('inc.title')}</th><th>${t('inc.level')}</th>
                <th>${t('inc.status')}</th><th>${t('inc.started')}</th></tr></thead>
            <tbody>${real.slice(0, 10).map((i) => html`<tr>
                <td><a href=${'#/incidents/' + i.ref}>${i.ref}</a></td><td>${i.title}</td>
                <td><${LevelBadge} level=${i.level} /></td><td><${StatusBadge} status=${i.status} /></td>
                <td><${Time} at=${i.started_at} /></td></tr>`)}</tbody></table>`
            : html`<${Empty} text=${t('dash.no_open')} />`)}
    </section>`;
}

export function DueList({ limit, title }) {
    const s = useLoad(() => get('/due?limit=200'), [], 10000);
    const items = (s.data && s.data.items) || [];
    const overdue = items.filter((i) => i.overdue).length;
    return html`<section class="card" aria-labelledby="d-due">
        <h2 id="d-due">${title || t('dash.due')}
            ${overdue > 0 && html` <span class="badge overdue">${t('due.overdue_n', { n: overdue })}</span>`}</h2>
        <${Loading} state=${s} />
        ${s.data && (items.length ? html`<ul class="due">${items.slice(0, limit || 12).map((d) => html`
            <li class=${d.overdue ? 'overdue' : ''}>
                ${d.overdue && html`<span class="badge overdue">${t('due.overdue')}</span> `}
                <span class="kind">${t('due.kind.' + d.kind)}</span>
                ${d.ref && (d.ref.startsWith('INC-')
                    ? html`<a href=${'#/incidents/' + d.ref}>${d.ref}</a>` : html`<span>${d.ref}</span>`)}
                <span class="what">${d.what}</span>
                <span class="when">${t('due.by')} <${Time} at=${d.due} /></span></li>`)}</ul>`
            : html`<${Empty} text=${t('dash.nothing_due')} />`)}
    </section>`;
}

function LatestEvents() {
    const s = useLoad(() => get('/events?limit=10'), [], 10000);
    const items = (s.data && s.data.items) || [];
    return html`<section class="card" aria-labelledby="d-events">
        <h2 id="d-events">${t('dash.events')}</h2>
        <${Loading} state=${s} />
        ${s.data && (items.length ? html`<table>
            <thead><tr><th>${t('ev.when')}</th><th>${t('ev.source')}</th><th>${t('ev.category')}</th>
                <th>${t('ev.summary')}</th><th>${t('ev.count')}</th></tr></thead>
            <tbody>${items.map((ev) => html`<tr>
                <td><${Time} at=${ev.last_seen} /></td><td>${ev.source}</td>
                <td>${categoryName(ev.category)}</td><td>${ev.summary}</td><td>${ev.count}</td></tr>`)}
            </tbody></table>` : html`<${Empty} />`)}
    </section>`;
}

function Drills() {
    const s = useLoad(() => get('/drills'), [], 0);
    const year = new Date().getFullYear();
    const items = ((s.data && s.data.items) || [])
        .filter((d) => d.status === 'finished' && d.finished_at && new Date(d.finished_at).getFullYear() === year);
    const comprehensive = items.some((d) => d.kind === 'comprehensive');
    return html`<section class="card" aria-labelledby="d-drills">
        <h2 id="d-drills">${t('dash.drills', { year })}</h2>
        <${Loading} state=${s} />
        ${s.data && html`<p><strong class="big">${items.length}</strong> ${t('dash.drills_held')}</p>
            <p class=${comprehensive ? 'ok' : 'warn'}>${comprehensive
                ? t('dash.drill_comprehensive_done') : t('dash.drill_comprehensive_due')}</p>`}
    </section>`;
}

function Monitors() {
    const s = useLoad(() => get('/monitors'), [], 30000);
    const items = (s.data && s.data.items) || [];
    const down = items.filter((m) => m.enabled && m.state === 'down').length;
    return html`<section class="card" aria-labelledby="d-mon">
        <h2 id="d-mon">${t('dash.monitors')}
            ${down > 0 && html` <span class="badge overdue">${t('dash.monitors_down', { n: down })}</span>`}</h2>
        <${Loading} state=${s} />
        ${s.data && html`<${MonitorTable} items=${items} compact />`}
    </section>`;
}

function Guarded() {
    const s = useLoad(() => get('/guard'), [], 10000);
    return html`<section class="card" aria-labelledby="d-guard">
        <h2 id="d-guard">${t('dash.guard')}</h2>
        <${Loading} state=${s} />
        ${s.data && html`<${GuardDirs} dirs=${s.data.dirs} />`}
    </section>`;
}

export function Dashboard({ me }) {
    return html`<h1>${t('nav.dashboard')}</h1>
        <div class="grid">
            <${OpenIncidents} />
            <${DueList} />
            ${me.can('monitor.read') && html`<${Monitors} />`}
            ${me.can('event.read') && html`<${Guarded} />`}
            ${me.can('event.read') && html`<${LatestEvents} />`}
            ${me.can('drill.read') && html`<${Drills} />`}
        </div>`;
}
