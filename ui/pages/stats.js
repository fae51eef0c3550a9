// The year's statistics (leaders, officers, auditors): real incidents by
// level, category and month, how fast they were taken in hand and closed,
// upward reports on time, warnings by colour, events by source — drills left
// out, and counted on their own line. Printable.
import { html, useState } from '../lib/html.js';
import { t } from '../lib/i18n.js';
import { get } from '../lib/api.js';
import { useLoad, Loading, Field, LevelBadge, ColourBadge } from '../lib/widgets.js';

const LEVELS = ['I', 'II', 'III', 'IV'];
const COLOURS = ['red', 'orange', 'yellow', 'blue'];

// A count with a bar whose length says it again (the number is always written).
function Bar({ n, max }) {
    const w = max > 0 ? Math.round((100 * n) / max) : 0;
    return html`<span class="bar"><span class="fill" style=${{ width: w + '%' }}></span></span>`;
}

function fixed(v, digits) {
    return v === null || v === undefined ? '—' : v.toFixed(digits);
}

export function Stats() {
    const thisYear = new Date().getFullYear();
    const [year, setYear] = useState(String(thisYear));
    const s = useLoad(() => get('/statistics?year=' + encodeURIComponent(year)), [year], 60000);
    const d = s.data;
    const years = [];
    for (let y = thisYear; y >= thisYear - 5; y--) years.push(String(y));
    let body = null;
    if (d) {
        const inc = d.incidents;
        const levels = [...LEVELS.map((l) => [l, inc.by_level[l]]), ['none', inc.by_level.ungraded]];
        const maxLevel = Math.max(...levels.map((x) => x[1]));
        const cats = Object.entries(inc.by_category);
        const maxCat = Math.max(...cats.map(([, c]) => c.count));
        const maxMonth = Math.max(...inc.by_month);
        body = html`
            <p class="muted" role="note">${t('stats.no_drills')}</p>
            <div class="grid">
                <section class="card" aria-labelledby="st-inc"><h2 id="st-inc">${t('stats.incidents')}</h2>
                    <p class="big" data-total=${inc.total}>${t('stats.total', { n: inc.total })}</p>
                    <dl class="facts">
                        <dt>${t('stats.open')}</dt><dd>${inc.open}</dd>
                        <dt>${t('stats.ack')}</dt><dd>${t('stats.minutes', { n: fixed(inc.mean_minutes_to_acknowledge, 1) })}</dd>
                        <dt>${t('stats.close')}</dt><dd>${t('stats.hours', { n: fixed(inc.mean_hours_to_close, 1) })}</dd>
                        <dt>${t('stats.reports')}</dt><dd>${t('stats.reports_line', inc.upward_reports)}</dd>
                    </dl>
                    <table class="list stats-levels"><caption>${t('stats.by_level')}</caption><tbody>
                        ${levels.map(([l, n]) => html`<tr data-level=${l}><th scope="row"><${LevelBadge} level=${l === 'none' ? '' : l} /></th>
                            <td class="num">${n}</td><td class="barcell"><${Bar} n=${n} max=${maxLevel} /></td></tr>`)}
                    </tbody></table></section>
                <section class="card" aria-labelledby="st-cat"><h2 id="st-cat">${t('stats.by_category')}</h2>
                    <table class="list stats-categories"><tbody>
                        ${cats.map(([code, c]) => html`<tr data-category=${code}><th scope="row">${t('category.' + code)}</th>
                            <td class="num">${c.count}</td><td class="barcell"><${Bar} n=${c.count} max=${maxCat} /></td></tr>`)}
                    </tbody></table></section>
            </div>
            <section class="card" aria-labelledby="st-month"><h2 id="st-month">${t('stats.by_month')}</h2>
                <table class="list stats-months"><thead><tr>${inc.by_month.map((_, m) =>
                    html`<th scope="col">${t('stats.month', { m: m + 1 })}</th>`)}</tr></thead>
                    <tbody><tr>${inc.by_month.map((n) => html`<td class="num">${n}</td>`)}</tr>
                    <tr aria-hidden="true">${inc.by_month.map((n) => html`<td class="col"><${Bar} n=${n} max=${maxMonth} /></td>`)}</tr></tbody>
                </table></section>
            <div class="grid">
                <section class="card" aria-labelledby="st-w"><h2 id="st-w">${t('stats.warnings')}</h2>
                    <p>${t('stats.count', { n: d.warnings.total })}</p>
                    <ul class="plain">${COLOURS.map((c) => html`<li data-colour=${c}><${ColourBadge} colour=${c} /> ${d.warnings[c]}</li>`)}</ul></section>
                <section class="card" aria-labelledby="st-ev"><h2 id="st-ev">${t('stats.events')}</h2>
                    <p>${t('stats.count', { n: d.events.total })}</p>
                    <ul class="plain">${Object.entries(d.events.by_source).map(([src, v]) => html`<li>
                        <strong>${src}</strong> ${t('stats.events_line', v)}</li>`)}</ul></section>
                <section class="card stats-drills" aria-labelledby="st-dr"><h2 id="st-dr">${t('stats.drills')}</h2>
                    <p>${t('stats.drills_line', d.drills)}</p></section>
            </div>`;
    }
    return html`<h1>${t('nav.stats')}</h1>
        <div class="toolbar noprint">
            <${Field} label=${t('stats.year')}><select value=${year} onChange=${(e) => setYear(e.currentTarget.value)}>
                ${years.map((y) => html`<option value=${y}>${y}</option>`)}</select><//>
            <button type="button" class="link" onClick=${() => window.print()}>${t('common.print')}</button>
        </div>
        <p class="printonly">${t('stats.year')}: ${year}</p>
        <${Loading} state=${s} />
        ${body}`;
}
