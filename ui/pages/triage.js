// Triage: the proposals the intake made from events, with the level each
// would get and why; the officer accepts (into a new or an existing
// incident), drafts a warning from one, or dismisses it.
import { html, useState } from '../lib/html.js';
import { t } from '../lib/i18n.js';
import { get, post } from '../lib/api.js';
import { useLoad, useAction, Loading, ErrorNote, Field, LevelBadge, ColourBadge, Time, Empty,
    Reasons, categoryFull } from '../lib/widgets.js';
import { WarningForm } from './warnings.js';

function Proposal({ p, open, me, reload }) {
    const act = useAction();
    const [mode, setMode] = useState('');
    const [target, setTarget] = useState('');
    const [reason, setReason] = useState('');
    const done = () => { setMode(''); reload(); };
    const accept = () => act.run(() => post(`/proposals/${p.id}/accept`, target ? { incident: target } : {}),
        (out) => { location.hash = '#/incidents/' + out.incident; });
    const dismiss = (e) => {
        e.preventDefault();
        act.run(() => post(`/proposals/${p.id}/dismiss`, { reason }), done);
    };
    const id = 'p' + p.id;
    return html`<article class="card proposal" aria-labelledby=${id}>
        <h2 id=${id}><${LevelBadge} level=${p.level} /> <${ColourBadge} colour=${p.colour} /> ${p.title}</h2>
        <dl class="facts">
            <dt>${t('inc.category')}</dt><dd>${categoryFull(p.category_zh, p.category)}</dd>
            <dt>${t('inc.asset')}</dt><dd>${p.asset || '—'}</dd>
            <dt>${t('triage.events')}</dt><dd>${p.events}${p.reports ? ' · ' + t('triage.reports', { n: p.reports }) : ''}</dd>
            <dt>${t('triage.seen')}</dt><dd><${Time} at=${p.first_seen} /> – <${Time} at=${p.last_seen} /></dd>
        </dl>
        <h3>${t('triage.why')}</h3>
        <${Reasons} reasons=${p.reasons} />
        ${me.can('triage.decide') && html`<div class="actions">
            <${Field} label=${t('triage.into')}>
                <select value=${target} onChange=${(e) => setTarget(e.currentTarget.value)}>
                    <option value="">${t('triage.new_incident')}</option>
                    ${open.map((i) => html`<option value=${i.ref}>${i.ref} ${i.title}</option>`)}
                </select>
            <//>
            <button type="button" class="primary" disabled=${act.busy} onClick=${accept}>
                ${target ? t('triage.merge') : t('triage.accept')}</button>
            <button type="button" onClick=${() => setMode(mode === 'warn' ? '' : 'warn')}
                aria-expanded=${mode === 'warn'}>${t('triage.warn')}</button>
            <button type="button" onClick=${() => setMode(mode === 'dismiss' ? '' : 'dismiss')}
                aria-expanded=${mode === 'dismiss'}>${t('triage.dismiss')}</button>
        </div>`}
        ${mode === 'dismiss' && html`<form class="inline" onSubmit=${dismiss}>
            <${Field} label=${t('triage.dismiss_reason')} wide>
                <input required value=${reason} onInput=${(e) => setReason(e.currentTarget.value)} /><//>
            <button type="submit" disabled=${act.busy}>${t('triage.dismiss_confirm')}</button></form>`}
        ${mode === 'warn' && html`<${WarningForm} initial=${{ colour: p.colour || 'blue', scope: p.asset || '',
            category: (p.category || '').split('/')[0], items: p.title }}
            submit=${(body) => post(`/proposals/${p.id}/warn`, body)}
            done=${(w) => { location.hash = '#/warnings/' + w.ref; }} fromProposal />`}
        <${ErrorNote} error=${act.error} />
    </article>`;
}

export function Triage({ me }) {
    const s = useLoad(() => Promise.all([get('/proposals?status=open&limit=100'),
        get('/incidents?open=1&limit=200')]), [], 10000);
    const [proposals, incidents] = s.data || [{ items: [] }, { items: [] }];
    return html`<h1>${t('nav.triage')}</h1>
        <${Loading} state=${s} />
        ${s.data && (proposals.items.length
            ? proposals.items.map((p) => html`<${Proposal} key=${p.id} p=${p} me=${me}
                open=${incidents.items.filter((i) => !i.drill)} reload=${s.reload} />`)
            : html`<${Empty} text=${t('triage.none')} />`)}`;
}
