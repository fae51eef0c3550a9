// Website monitors (W-2): every monitor's state, with the last 24 hours'
// latency and uptime; one monitor's checks, findings and kept pages.
import { html } from '../lib/html.js';
import { t } from '../lib/i18n.js';
import { get, q } from '../lib/api.js';
import { useLoad, Loading, Time, Empty, categoryName } from '../lib/widgets.js';
import { Sparkline, LatencyChart } from '../lib/chart.js';

export function MonitorState({ m }) {
    const state = !m.enabled ? 'disabled' : m.state;
    return html`<span class=${'badge mon-' + state}>${t('mon.' + state)}</span>${m.learning
        ? html` <span class="badge">${t('mon.learning')}</span>` : ''}`;
}

const pct = (v) => (v === null || v === undefined ? '—' : v.toFixed(v >= 99.95 || v === 0 ? 0 : 2) + '%');
const ms = (v) => (v === null || v === undefined ? '—' : v.toFixed(v < 10 ? 1 : 0) + ' ms');

function hoursColumns(m) {
    return [m.hours.map((h) => Date.parse(h.at) / 1000), m.hours.map((h) => h.mean_ms)];
}

// The monitors as a table: state, where, 24-hour uptime and latency line.
export function MonitorTable({ items, compact }) {
    if (!items.length) return html`<${Empty} text=${t('mon.none')} />`;
    return html`<table class="list monitors">
        <thead><tr><th>${t('mon.state')}</th><th>${t('mon.site')}</th>
            ${!compact && html`<th>${t('mon.last_check')}</th>`}
            <th>${t('mon.uptime_24h')}</th><th>${t('mon.latency_24h')}</th></tr></thead>
        <tbody>${items.map((m) => {
            const [xs, ys] = hoursColumns(m);
            return html`<tr data-state=${m.enabled ? m.state : 'disabled'}>
                <td><${MonitorState} m=${m} /></td>
                <td><a href=${'#/monitors/' + m.id}>${m.asset || m.url}</a>
                    ${m.asset && html`<div class="muted url">${m.url}</div>`}</td>
                ${!compact && html`<td><${Time} at=${m.last_check} /></td>`}
                <td>${pct(m.uptime_24h)}</td>
                <td><${Sparkline} xs=${xs} ys=${ys} label=${t('mon.spark_label', { site: m.asset || m.url })} /></td>
            </tr>`;
        })}</tbody></table>`;
}

export function Monitors() {
    const s = useLoad(() => get('/monitors'), [], 30000);
    return html`<h1>${t('nav.monitors')}</h1>
        <p class="muted">${t('mon.intro')}</p>
        <${Loading} state=${s} />
        ${s.data && html`<${MonitorTable} items=${s.data.items} />`}`;
}

export function Monitor({ arg }) {
    const s = useLoad(() => get('/monitors/' + q(arg)), [arg], 30000);
    const m = s.data;
    if (!m) return html`<h1>${t('nav.monitors')}</h1><${Loading} state=${s} />`;
    const xs = m.checks.at, ys = m.checks.total_ms;
    const failed = m.checks.ok.filter((ok) => !ok).length;
    return html`<p class="noprint"><a href="#/monitors">← ${t('nav.monitors')}</a></p>
        <h1>${m.asset || m.url} <${MonitorState} m=${m} /></h1>
        <div class="grid">
            <section class="card" aria-labelledby="m-facts"><h2 id="m-facts">${t('inc.facts')}</h2>
                <dl class="facts">
                    <dt>URL</dt><dd class="url">${m.url}</dd>
                    <dt>${t('mon.interval')}</dt><dd>${t('mon.every', { s: m.interval_s })}</dd>
                    <dt>${t('mon.last_check')}</dt><dd><${Time} at=${m.last_check} /></dd>
                    ${m.down_since && html`<dt>${t('mon.down_since')}</dt><dd><${Time} at=${m.down_since} /></dd>`}
                    <dt>${t('mon.uptime')}</dt><dd>24h ${pct(m.uptime_percent['24h'])} · 7d ${pct(m.uptime_percent['7d'])}
                        · 30d ${pct(m.uptime_percent['30d'])}</dd>
                    <dt>${t('mon.latency_24h')}</dt><dd>p50 ${ms(m.latency_ms_24h.p50)} · p95 ${ms(m.latency_ms_24h.p95)}
                        · p99 ${ms(m.latency_ms_24h.p99)}</dd>
                    <dt>${t('mon.failed_checks')}</dt><dd>${failed} / ${xs.length}</dd>
                </dl></section>
            <section class="card" aria-labelledby="m-chart"><h2 id="m-chart">${t('mon.chart')}</h2>
                <${LatencyChart} xs=${xs} ys=${ys} label=${t('mon.chart_label', { n: xs.length })} /></section>
        </div>
        <section class="card" aria-labelledby="m-find"><h2 id="m-find">${t('mon.findings')}</h2>
            ${m.findings.length ? html`<table class="list"><thead><tr><th>${t('ev.when')}</th><th>${t('ev.category')}</th>
                <th>${t('ev.summary')}</th><th>${t('ev.count')}</th><th>${t('mon.cleared')}</th></tr></thead>
                <tbody>${m.findings.map((f) => html`<tr><td><${Time} at=${f.last_seen} /></td>
                    <td>${categoryName(f.category)}</td><td>${f.summary}</td><td>${f.count}</td>
                    <td><${Time} at=${f.cleared_at} /></td></tr>`)}</tbody></table>` : html`<${Empty} />`}
        </section>
        <section class="card" aria-labelledby="m-pages"><h2 id="m-pages">${t('mon.pages')}</h2>
            ${m.pages.length ? html`<table class="list"><thead><tr><th>${t('ev.when')}</th><th>HTTP</th>
                <th>SHA-256</th></tr></thead><tbody>${m.pages.map((p) => html`<tr><td><${Time} at=${p.at} /></td>
                    <td>${p.status}</td><td><code class="hash">${p.object}</code></td></tr>`)}</tbody></table>`
            : html`<${Empty} />`}
        </section>`;
}
