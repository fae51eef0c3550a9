// Website monitors (W-2): every monitor's state, with the last 24 hours'
// latency and uptime; one monitor's checks, findings and kept pages, two
// kept versions side by side; monitors added, changed and removed.
import { html, useState } from '../lib/html.js';
import { t } from '../lib/i18n.js';
import { api, get, post, q } from '../lib/api.js';
import { useLoad, useAction, Loading, ErrorNote, Field, Time, Empty, bind, categoryName } from '../lib/widgets.js';
import { Sparkline, LatencyChart } from '../lib/chart.js';
import { pageLines, diffLines, hunks } from '../lib/diff.js';

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

const NUMBERS = ['interval_s', 'timeout_s', 'retries', 'expect_status'];
const TEXTS = ['url', 'asset', 'keyword', 'allow', 'expect_ips'];

function formOf(m) {
    const f = { cloak: m ? m.cloak : true };
    for (const k of TEXTS) f[k] = m ? m[k] : '';
    for (const k of NUMBERS) f[k] = m ? String(m[k]) : { interval_s: '60', timeout_s: '10', retries: '2', expect_status: '0' }[k];
    return f;
}

// The settings of a monitor, new (m undefined) or one to change: what the
// API takes; the words file stays with the host (tocsin monitor edit --words).
function MonitorForm({ m, done, cancel }) {
    const [form, setForm] = useState(formOf(m));
    const act = useAction();
    const submit = (e) => {
        e.preventDefault();
        const body = { cloak: form.cloak };
        for (const k of TEXTS) body[k] = form[k].trim();
        for (const k of NUMBERS) body[k] = Number(form[k]);
        act.run(() => (m ? api('PATCH', '/monitors/' + m.id, body) : post('/monitors', body)), done);
    };
    const id = m ? 'm-edit' : 'm-add';
    return html`<form class="card form" onSubmit=${submit} aria-labelledby=${id}>
        <h2 id=${id}>${m ? t('mon.edit') : t('mon.add')}</h2>
        <${Field} label="URL" hint=${t('mon.url_hint')} wide><input type="url" required maxlength="2047"
            placeholder="https://www.example.gov.cn/" ...${bind(form, setForm, 'url')} /><//>
        <${Field} label=${t('mon.asset')}><input maxlength="127" ...${bind(form, setForm, 'asset')} /><//>
        <${Field} label=${t('mon.interval_s')}><input type="number" min="1" max="86400" required
            ...${bind(form, setForm, 'interval_s')} /><//>
        <${Field} label=${t('mon.timeout_s')}><input type="number" min="1" max="600" required
            ...${bind(form, setForm, 'timeout_s')} /><//>
        <${Field} label=${t('mon.retries')} hint=${t('mon.retries_hint')}><input type="number" min="0" max="20" required
            ...${bind(form, setForm, 'retries')} /><//>
        <${Field} label=${t('mon.expect_status')} hint=${t('mon.expect_status_hint')}><input type="number" min="0" max="599"
            required ...${bind(form, setForm, 'expect_status')} /><//>
        <${Field} label=${t('mon.keyword')} hint=${t('mon.keyword_hint')}><input maxlength="255"
            ...${bind(form, setForm, 'keyword')} /><//>
        <${Field} label=${t('mon.allow')} hint=${t('mon.allow_hint')} wide><input maxlength="1023"
            ...${bind(form, setForm, 'allow')} /><//>
        <${Field} label=${t('mon.expect_ips')} hint=${t('mon.expect_ips_hint')} wide><input maxlength="511"
            ...${bind(form, setForm, 'expect_ips')} /><//>
        <label class="check"><input type="checkbox" checked=${form.cloak}
            onChange=${(e) => setForm({ ...form, cloak: e.currentTarget.checked })} />${t('mon.cloak')}</label>
        <${ErrorNote} error=${act.error} />
        <button type="submit" class="primary" disabled=${act.busy}>${m ? t('common.save') : t('mon.add')}</button>
        ${cancel && html`<button type="button" onClick=${cancel}>${t('common.cancel')}</button>`}
    </form>`;
}

export function Monitors({ me }) {
    const s = useLoad(() => get('/monitors'), [], 30000);
    const [adding, setAdding] = useState(false);
    const manage = me.can('monitor.manage');
    return html`<h1>${t('nav.monitors')}</h1>
        <p class="muted">${t('mon.intro')}</p>
        ${manage && !adding && html`<p class="noprint"><button type="button" class="primary"
            onClick=${() => setAdding(true)}>${t('mon.add')}</button></p>`}
        ${adding && html`<${MonitorForm} cancel=${() => setAdding(false)}
            done=${(m) => { location.hash = '#/monitors/' + m.id; }} />`}
        <${Loading} state=${s} />
        ${s.data && html`<${MonitorTable} items=${s.data.items} />`}`;
}

// Enable or disable, learn the baseline again, remove: each said first.
function Manage({ m, reload }) {
    const act = useAction();
    const [asking, setAsking] = useState(null); // 'relearn' | 'remove'
    const patch = (body) => act.run(() => api('PATCH', '/monitors/' + m.id, body), () => { setAsking(null); reload(); });
    const remove = () => act.run(() => api('DELETE', '/monitors/' + m.id), () => { location.hash = '#/monitors'; });
    return html`<div class="actions noprint">
        <button type="button" disabled=${act.busy} onClick=${() => patch({ enabled: !m.enabled })}>
            ${m.enabled ? t('mon.disable') : t('mon.enable')}</button>
        <button type="button" disabled=${act.busy} onClick=${() => setAsking('relearn')}>${t('mon.relearn')}</button>
        <button type="button" disabled=${act.busy} onClick=${() => setAsking('remove')}>${t('mon.remove')}</button>
        ${asking && html`<div class="confirm" role="group" aria-labelledby="m-confirm">
            <p id="m-confirm">${asking === 'remove' ? t('mon.remove_confirm') : t('mon.relearn_confirm')}</p>
            <button type="button" class="primary" disabled=${act.busy}
                onClick=${() => (asking === 'remove' ? remove() : patch({ relearn: true }))}>
                ${asking === 'remove' ? t('mon.remove') : t('mon.relearn')}</button>
            <button type="button" onClick=${() => setAsking(null)}>${t('common.cancel')}</button></div>`}
        <${ErrorNote} error=${act.error} /></div>`;
}

// Two kept versions of the page, the older on the left, changed lines marked
// in words (删除/新增/修改) as well as colour.
function PageDiff({ monitor, older, newer, close }) {
    const s = useLoad(() => Promise.all([get(`/monitors/${monitor}/pages/${older}`),
        get(`/monitors/${monitor}/pages/${newer}`)]), [monitor, older, newer], 0);
    if (!s.data) return html`<section class="card"><${Loading} state=${s} /></section>`;
    const [a, b] = s.data;
    const rows = hunks(diffLines(pageLines(a.text), pageLines(b.text)));
    const changed = rows.filter((r) => r[0] !== 'same' && r[0] !== 'gap').length;
    const mark = (kind, side) => (kind === 'mod' ? t('diff.mod') : kind === 'del' && side === 0 ? t('diff.del')
        : kind === 'ins' && side === 1 ? t('diff.ins') : '');
    return html`<section class="card diff" aria-labelledby="m-diff">
        <h2 id="m-diff">${t('mon.compare_title')}</h2>
        <p>${t('diff.summary', { n: changed })} <button type="button" class="link" onClick=${close}>${t('diff.close')}</button></p>
        ${(a.truncated || b.truncated) && html`<p class="warn">${t('diff.truncated')}</p>`}
        <table class="diff" data-changed=${changed}>
            <colgroup><col class="no" /><col /><col class="no" /><col /></colgroup>
            <thead><tr><th colspan="2"><${Time} at=${a.at} /> · HTTP ${a.status} · ${a.charset}</th>
                <th colspan="2"><${Time} at=${b.at} /> · HTTP ${b.status} · ${b.charset}</th></tr></thead>
            <tbody>${rows.map((r) => (r[0] === 'gap'
                ? html`<tr class="gap"><td colspan="4">${t('diff.gap', { n: r[1] })}</td></tr>`
                : html`<tr class=${r[0]}>
                    <td class="no">${r[3] ?? ''}</td><td class="l"><span class="mark">${mark(r[0], 0)}</span><code>${r[1] ?? ''}</code></td>
                    <td class="no">${r[4] ?? ''}</td><td class="r"><span class="mark">${mark(r[0], 1)}</span><code>${r[2] ?? ''}</code></td>
                </tr>`))}</tbody></table></section>`;
}

function Pages({ m }) {
    const [pair, setPair] = useState(null);
    if (!m.pages.length) return html`<${Empty} />`;
    return html`<table class="list pages"><thead><tr><th>${t('ev.when')}</th><th>HTTP</th>
        <th>SHA-256</th><th></th></tr></thead><tbody>${m.pages.map((p, k) => {
            const before = m.pages[k + 1];
            return html`<tr><td><${Time} at=${p.at} /></td><td>${p.status}</td>
                <td><code class="hash">${p.object}</code></td>
                <td>${before && html`<button type="button" onClick=${() => setPair([before.id, p.id])}
                    aria-label=${t('mon.compare_label', { n: m.pages.length - k })}>${t('mon.compare')}</button>`}</td></tr>`;
        })}</tbody></table>
        ${pair && html`<${PageDiff} key=${pair.join('-')} monitor=${m.id} older=${pair[0]} newer=${pair[1]}
            close=${() => setPair(null)} />`}`;
}

export function Monitor({ arg, me }) {
    const s = useLoad(() => get('/monitors/' + q(arg)), [arg], 30000);
    const [editing, setEditing] = useState(false);
    const m = s.data;
    if (!m) return html`<h1>${t('nav.monitors')}</h1><${Loading} state=${s} />`;
    const xs = m.checks.at, ys = m.checks.total_ms;
    const failed = m.checks.ok.filter((ok) => !ok).length;
    const manage = me.can('monitor.manage');
    return html`<p class="noprint"><a href="#/monitors">← ${t('nav.monitors')}</a></p>
        <h1>${m.asset || m.url} <${MonitorState} m=${m} /></h1>
        ${manage && html`<${Manage} m=${m} reload=${s.reload} />`}
        ${manage && !editing && html`<p class="noprint"><button type="button" onClick=${() => setEditing(true)}>
            ${t('mon.edit')}</button></p>`}
        ${editing && html`<${MonitorForm} m=${m} cancel=${() => setEditing(false)}
            done=${() => { setEditing(false); s.reload(); }} />`}
        <div class="grid">
            <section class="card" aria-labelledby="m-facts"><h2 id="m-facts">${t('inc.facts')}</h2>
                <dl class="facts">
                    <dt>URL</dt><dd class="url">${m.url}</dd>
                    <dt>${t('mon.interval')}</dt><dd>${t('mon.every', { s: m.interval_s })}
                        · ${t('mon.timeout_s')} ${m.timeout_s} · ${t('mon.retries')} ${m.retries}</dd>
                    ${m.keyword && html`<dt>${t('mon.keyword')}</dt><dd>${m.keyword}</dd>`}
                    ${m.allow && html`<dt>${t('mon.allow')}</dt><dd class="url">${m.allow}</dd>`}
                    ${m.expect_ips && html`<dt>${t('mon.expect_ips')}</dt><dd>${m.expect_ips}</dd>`}
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
            <${Pages} m=${m} /></section>`;
}
