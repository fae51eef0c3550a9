// A leader's inbox: warnings, statements and supply dispatches waiting for
// a decision, and those decided.
import { html, useState } from '../lib/html.js';
import { t } from '../lib/i18n.js';
import { get, post } from '../lib/api.js';
import { useLoad, useAction, Loading, ErrorNote, Field, StatusBadge, Time, Empty } from '../lib/widgets.js';

function link(a) {
    if (a.kind === 'warning') return '#/warnings/' + a.ref;
    if (a.ref && a.ref.startsWith('INC-')) return '#/incidents/' + a.ref;
    return null;
}

function Pending({ a, reload }) {
    const act = useAction();
    const [reason, setReason] = useState('');
    const decide = (decision) => act.run(() => post(`/approvals/${a.id}/decide`,
        reason ? { decision, reason } : { decision }), reload);
    const href = link(a);
    return html`<li class="card">
        <h2>${t('appr.kind.' + a.kind)}: ${href ? html`<a href=${href}>${a.summary}</a>` : a.summary}</h2>
        <p class="muted">${t('appr.requested', { who: a.requested_by })} <${Time} at=${a.requested_at} /></p>
        <div class="actions">
            <${Field} label=${t('appr.reason')}><input value=${reason} onInput=${(e) => setReason(e.currentTarget.value)} /><//>
            <button type="button" class="primary" disabled=${act.busy} onClick=${() => decide('approve')}>${t('appr.approve')}</button>
            <button type="button" disabled=${act.busy} onClick=${() => decide('reject')}>${t('appr.reject')}</button>
        </div>
        <${ErrorNote} error=${act.error} />
    </li>`;
}

export function Approvals() {
    const s = useLoad(() => get('/approvals?limit=100'), [], 10000);
    const items = (s.data && s.data.items) || [];
    const pending = items.filter((a) => a.status === 'pending');
    const decided = items.filter((a) => a.status !== 'pending');
    return html`<h1>${t('nav.approvals')}</h1>
        <${Loading} state=${s} />
        <h2>${t('appr.pending')}</h2>
        ${s.data && (pending.length ? html`<ul class="plain">${pending.map((a) =>
            html`<${Pending} key=${a.id} a=${a} reload=${s.reload} />`)}</ul>` : html`<${Empty} text=${t('appr.none')} />`)}
        <h2>${t('appr.decided')}</h2>
        ${decided.length ? html`<table class="list"><thead><tr><th>${t('appr.what')}</th><th>${t('appr.status')}</th>
            <th>${t('appr.by')}</th><th>${t('appr.reason')}</th></tr></thead>
            <tbody>${decided.map((a) => html`<tr><td>${a.summary}</td><td><${StatusBadge} kind="apprs" status=${a.status} /></td>
                <td>${a.decided_by}</td><td>${a.reason}</td></tr>`)}</tbody></table>` : html`<${Empty} />`}`;
}
