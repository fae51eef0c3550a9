// Warnings (W-5): the form with the plan's required fields, then submit,
// a leader's approval where the colour needs one, publish and lift.
import { html, useState } from '../lib/html.js';
import { t } from '../lib/i18n.js';
import { get, post, q } from '../lib/api.js';
import { useLoad, useAction, Loading, ErrorNote, Field, ColourBadge, StatusBadge, Time, Empty, bind,
    CATEGORIES, categoryName, WARNINGS_CHANGED } from '../lib/widgets.js';
import { zonedToUtc, utcToZoned } from '../lib/format.js';

const COLOURS = ['red', 'orange', 'yellow', 'blue'];

// The W-5 form; submit(body) sends it, done(warning) follows.
export function WarningForm({ initial, submit, done, fromProposal }) {
    const [form, setForm] = useState({
        colour: 'blue', category: 'other', scope: '', items: '', measure: '', issuer: '',
        deadline: utcToZoned(Date.now() + 72 * 3600 * 1000), ...(initial || {}),
    });
    const act = useAction();
    const send = (e) => {
        e.preventDefault();
        const body = { colour: form.colour, scope: form.scope, items: form.items, measure: form.measure,
            deadline: zonedToUtc(form.deadline), issuer: form.issuer };
        if (!fromProposal) body.category = form.category;
        act.run(() => submit(body), done);
    };
    return html`<form class="card form" onSubmit=${send} aria-labelledby="w-form">
        <h2 id="w-form">${t('w.new')}</h2>
        <${Field} label=${t('w.colour')}>
            <select ...${bind(form, setForm, 'colour')}>${COLOURS.map((c) =>
                html`<option value=${c}>${t('colour.' + c)}</option>`)}</select><//>
        ${!fromProposal && html`<${Field} label=${t('w.category')}>
            <select ...${bind(form, setForm, 'category')}>${CATEGORIES.map((c) =>
                html`<option value=${c}>${t('category.' + c)}</option>`)}</select><//>`}
        <${Field} label=${t('w.scope')} wide><input required ...${bind(form, setForm, 'scope')} /><//>
        <${Field} label=${t('w.items')} wide><textarea rows="2" required ...${bind(form, setForm, 'items')}></textarea><//>
        <${Field} label=${t('w.measure')} wide><textarea rows="2" required ...${bind(form, setForm, 'measure')}></textarea><//>
        <${Field} label=${t('w.deadline')} hint=${t('common.org_time')}>
            <input type="datetime-local" required ...${bind(form, setForm, 'deadline')} /><//>
        <${Field} label=${t('w.issuer')}><input required ...${bind(form, setForm, 'issuer')} /><//>
        <${ErrorNote} error=${act.error} />
        <button type="submit" class="primary" disabled=${act.busy}>${t('w.draft')}</button>
    </form>`;
}

export function Warnings({ me }) {
    const [adding, setAdding] = useState(false);
    const s = useLoad(() => get('/warnings?limit=200'), [], 15000);
    const items = (s.data && s.data.items) || [];
    return html`<h1>${t('nav.warnings')}</h1>
        ${me.can('warning.draft') && html`<div class="toolbar"><button type="button" aria-expanded=${adding}
            onClick=${() => setAdding(!adding)}>${t('w.new')}</button></div>`}
        ${adding && html`<${WarningForm} submit=${(body) => post('/warnings', body)}
            done=${(w) => { location.hash = '#/warnings/' + w.ref; }} />`}
        <${Loading} state=${s} />
        ${s.data && (items.length ? html`<table class="list">
            <thead><tr><th>${t('w.ref')}</th><th>${t('w.colour')}</th><th>${t('w.scope')}</th>
                <th>${t('w.status')}</th><th>${t('w.start')}</th><th>${t('w.deadline')}</th></tr></thead>
            <tbody>${items.map((w) => html`<tr>
                <td><a href=${'#/warnings/' + w.ref}>${w.ref}</a>${w.drill && html` <span class="badge drill">${t('common.drill')}</span>`}</td>
                <td><${ColourBadge} colour=${w.colour} /></td><td>${w.scope}</td>
                <td><${StatusBadge} kind="ws" status=${w.status} /></td>
                <td><${Time} at=${w.start} /></td><td><${Time} at=${w.deadline} /></td></tr>`)}</tbody>
        </table>` : html`<${Empty} />`)}`;
}

export function Warning({ me, arg }) {
    const s = useLoad(() => get('/warnings/' + q(arg)), [arg], 15000);
    const act = useAction();
    const [reason, setReason] = useState('');
    const w = s.data;
    if (!w) return html`<h1>${arg}</h1><${Loading} state=${s} />`;
    const base = '/warnings/' + q(w.ref);
    // A warning published or lifted here shows on the banner at once, not at its next poll.
    const step = (path, body) => act.run(() => post(base + path, body), () => {
        setReason('');
        s.reload();
        dispatchEvent(new Event(WARNINGS_CHANGED));
    });
    const high = w.colour === 'red' || w.colour === 'orange';
    return html`<div class="warning">
        <p class="noprint"><a href="#/warnings">← ${t('nav.warnings')}</a></p>
        <h1>${w.ref} <${ColourBadge} colour=${w.colour} /></h1>
        <p class="headline"><${StatusBadge} kind="ws" status=${w.status} />
            <button type="button" class="link noprint" onClick=${() => window.print()}>${t('common.print')}</button></p>
        <section class=${'card notice colour-edge-' + w.colour} aria-labelledby="w-body">
            <h2 id="w-body">${t('w.notice', { colour: t('colour.' + w.colour) })}</h2>
            <dl class="facts">
                <dt>${t('w.category')}</dt><dd>${categoryName(w.category)}</dd>
                <dt>${t('w.level')}</dt><dd>${t('level.' + w.level)}</dd>
                <dt>${t('w.start')}</dt><dd><${Time} at=${w.start} /></dd>
                <dt>${t('w.scope')}</dt><dd>${w.scope}</dd>
                <dt>${t('w.items')}</dt><dd>${w.items}</dd>
                <dt>${t('w.measure')}</dt><dd>${w.measures}</dd>
                <dt>${t('w.deadline')}</dt><dd><${Time} at=${w.deadline} /></dd>
                <dt>${t('w.issuer')}</dt><dd>${w.issuer}</dd>
                ${w.lift_reason && html`<dt>${t('w.lift_reason')}</dt><dd>${w.lift_reason}</dd>`}
            </dl>
        </section>
        <section class="card noprint" aria-labelledby="w-steps">
            <h2 id="w-steps">${t('inc.steps')}</h2>
            ${w.status === 'draft' && high && me.can('warning.draft') && html`<button type="button" class="primary"
                disabled=${act.busy} onClick=${() => step('/submit')}>${t('w.submit')}</button>`}
            ${w.status === 'pending' && me.can('approval.decide') && html`<div class="actions">
                <${Field} label=${t('appr.reason')}><input value=${reason} onInput=${(e) => setReason(e.currentTarget.value)} /><//>
                <button type="button" class="primary" disabled=${act.busy}
                    onClick=${() => step('/approve', reason ? { reason } : {})}>${t('appr.approve')}</button></div>`}
            ${w.status === 'pending' && !me.can('approval.decide') && html`<p>${t('w.waiting')}</p>`}
            ${(w.status === 'approved' || (w.status === 'draft' && !high)) && me.can('warning.publish-low') &&
                html`<button type="button" class="primary" disabled=${act.busy}
                    onClick=${() => step('/publish')}>${t('w.publish')}</button>`}
            ${w.status === 'published' && me.can('warning.lift') && html`<form class="inline"
                onSubmit=${(e) => { e.preventDefault(); step('/lift', { reason }); }}>
                <${Field} label=${t('w.lift_reason')}><input required value=${reason}
                    onInput=${(e) => setReason(e.currentTarget.value)} /><//>
                <button type="submit" disabled=${act.busy}>${t('w.lift')}</button></form>`}
            <${ErrorNote} error=${act.error} />
        </section>
        ${w.tasks && w.tasks.length > 0 && html`<section class="card"><h2>${t('task.title')}</h2>
            <ul class="tasks">${w.tasks.map((k) => html`<li>${k.title} · ${t('due.by')} <${Time} at=${k.due_at} />
                ${k.done_at && html` <span class="badge ok">${t('task.done')}</span>`}</li>`)}</ul></section>`}
    </div>`;
}
