// The incident list, with filters; a department sees only its own.
import { html, useState } from '../lib/html.js';
import { t } from '../lib/i18n.js';
import { get, post, q } from '../lib/api.js';
import { useLoad, useAction, Loading, ErrorNote, Field, LevelBadge, StatusBadge, Time, Empty, bind,
    CATEGORIES, categoryName } from '../lib/widgets.js';

const STATUSES = ['reported', 'triaged', 'responding', 'contained', 'recovered', 'closed', 'assessed'];

function NewIncident({ done }) {
    const [form, setForm] = useState({ title: '', category: 'other', asset: '', description: '' });
    const act = useAction();
    const submit = (e) => {
        e.preventDefault();
        const body = { title: form.title, category: form.category };
        if (form.asset) body.asset = form.asset;
        if (form.description) body.description = form.description;
        act.run(() => post('/incidents', body), (out) => done(out.ref));
    };
    return html`<form class="card form" onSubmit=${submit} aria-labelledby="new-inc">
        <h2 id="new-inc">${t('inc.new')}</h2>
        <${Field} label=${t('inc.title')} wide><input required ...${bind(form, setForm, 'title')} /><//>
        <${Field} label=${t('inc.category')}>
            <select ...${bind(form, setForm, 'category')}>${CATEGORIES.map((c) =>
                html`<option value=${c}>${t('category.' + c)}</option>`)}</select><//>
        <${Field} label=${t('inc.asset')}><input ...${bind(form, setForm, 'asset')} /><//>
        <${Field} label=${t('inc.description')} wide>
            <textarea rows="3" ...${bind(form, setForm, 'description')}></textarea><//>
        <${ErrorNote} error=${act.error} />
        <button type="submit" class="primary" disabled=${act.busy}>${t('inc.open')}</button>
    </form>`;
}

export function Incidents({ me }) {
    const [status, setStatus] = useState('');
    const [openOnly, setOpenOnly] = useState(true);
    const [adding, setAdding] = useState(false);
    const query = status ? '?status=' + q(status) : openOnly ? '?open=1' : '';
    const s = useLoad(() => get('/incidents' + query + (query ? '&' : '?') + 'limit=200'), [query], 15000);
    const items = (s.data && s.data.items) || [];
    return html`<h1>${t('nav.incidents')}</h1>
        <div class="toolbar" role="search">
            <${Field} label=${t('inc.filter_status')}>
                <select value=${status} onChange=${(e) => setStatus(e.currentTarget.value)}>
                    <option value="">${t('common.all')}</option>
                    ${STATUSES.map((st) => html`<option value=${st}>${t('status.' + st)}</option>`)}
                </select><//>
            <label class="check"><input type="checkbox" checked=${openOnly} disabled=${!!status}
                onChange=${(e) => setOpenOnly(e.currentTarget.checked)} /> ${t('inc.open_only')}</label>
            ${me.can('incident.open') && html`<button type="button" onClick=${() => setAdding(!adding)}
                aria-expanded=${adding}>${t('inc.new')}</button>`}
        </div>
        ${adding && html`<${NewIncident} done=${(ref) => { location.hash = '#/incidents/' + ref; }} />`}
        <${Loading} state=${s} />
        ${s.data && (items.length ? html`<table class="list">
            <thead><tr><th>${t('inc.ref')}</th><th>${t('inc.title')}</th><th>${t('inc.category')}</th>
                <th>${t('inc.level')}</th><th>${t('inc.status')}</th><th>${t('inc.owner')}</th>
                <th>${t('inc.started')}</th></tr></thead>
            <tbody>${items.map((i) => html`<tr>
                <td><a href=${'#/incidents/' + i.ref}>${i.ref}</a>${i.drill && html` <span class="badge drill">${t('common.drill')}</span>`}</td>
                <td>${i.title}</td><td>${categoryName(i.category)}</td>
                <td><${LevelBadge} level=${i.level} /></td><td><${StatusBadge} status=${i.status} /></td>
                <td>${i.owner_department}</td><td><${Time} at=${i.started_at} /></td></tr>`)}</tbody>
        </table>` : html`<${Empty} />`)}`;
}
