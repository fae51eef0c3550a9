// The audit log: filter by who and what, and verify its hash chain.
import { html, useState } from '../lib/html.js';
import { t } from '../lib/i18n.js';
import { get, q } from '../lib/api.js';
import { useLoad, useAction, Loading, ErrorNote, Field, Time, Empty } from '../lib/widgets.js';

export function Audit() {
    const [filter, setFilter] = useState({ actor: '', action: '' });
    const [applied, setApplied] = useState({ actor: '', action: '' });
    const [result, setResult] = useState(null);
    const act = useAction();
    const query = [applied.actor && 'actor=' + q(applied.actor), applied.action && 'action=' + q(applied.action), 'limit=200']
        .filter(Boolean).join('&');
    const s = useLoad(() => get('/audit?' + query), [query], 0);
    const items = (s.data && s.data.items) || [];
    const verify = () => act.run(() => get('/audit/verify'), setResult);
    return html`<h1>${t('nav.audit')}</h1>
        <form class="toolbar" role="search" onSubmit=${(e) => { e.preventDefault(); setApplied(filter); }}>
            <${Field} label=${t('audit.actor')}><input value=${filter.actor}
                onInput=${(e) => setFilter({ ...filter, actor: e.currentTarget.value })} /><//>
            <${Field} label=${t('audit.action')}><input value=${filter.action}
                onInput=${(e) => setFilter({ ...filter, action: e.currentTarget.value })} /><//>
            <button type="submit">${t('common.filter')}</button>
            <button type="button" class="primary" onClick=${verify} disabled=${act.busy}>${t('audit.verify')}</button>
        </form>
        ${result && html`<p role="status" class=${'verdict ' + (result.ok ? 'ok' : 'warn')}>${result.ok
            ? t('audit.intact', { n: result.entries })
            : t('audit.broken', { id: result.bad_entry, reason: result.reason })}</p>`}
        <${ErrorNote} error=${act.error} />
        <${Loading} state=${s} />
        ${s.data && (items.length ? html`<table class="list audit">
            <thead><tr><th>#</th><th>${t('audit.at')}</th><th>${t('audit.actor')}</th><th>${t('audit.action')}</th>
                <th>${t('audit.object')}</th><th>${t('audit.details')}</th></tr></thead>
            <tbody>${items.map((a) => html`<tr><td>${a.id}</td><td><${Time} at=${a.at} /></td><td>${a.actor}</td>
                <td><code>${a.action}</code></td><td>${a.object}</td>
                <td><code class="details">${a.details ? JSON.stringify(a.details) : ''}</code></td></tr>`)}</tbody>
        </table>` : html`<${Empty} />`)}`;
}
