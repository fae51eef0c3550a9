// The web-root guard (H-3, H-5): each guarded directory, whether any change
// is still unrestored, and what the guard did with each change, with the
// hashes before and after and how fast it put the file back.
import { html, useState } from '../lib/html.js';
import { t } from '../lib/i18n.js';
import { get, post } from '../lib/api.js';
import { useLoad, useAction, Loading, ErrorNote, Field, Time, Empty } from '../lib/widgets.js';

const ACTIONS = ['restored', 'removed', 'refused', 'alerted', 'accepted', 'failed'];

// Opens a publishing window: changes made in it are taken, not reverted.
function Publish({ root, reload }) {
    const [minutes, setMinutes] = useState('10');
    const act = useAction();
    const open = (e) => {
        e.preventDefault();
        act.run(() => post('/guard/publish', { root, minutes: Number(minutes) }), reload);
    };
    return html`<form class="inline" onSubmit=${open}>
        <${Field} label=${t('guard.minutes')}><input type="number" min="1" max="10080" required value=${minutes}
            onInput=${(e) => setMinutes(e.currentTarget.value)} /><//>
        <button type="submit" disabled=${act.busy}>${t('guard.publish')}</button>
        <${ErrorNote} error=${act.error} /></form>`;
}

export function GuardDirs({ dirs, manage, reload }) {
    if (!dirs.length) return html`<${Empty} text=${t('guard.none')} />`;
    return html`<table class="list guard-dirs">
        <thead><tr><th>${t('mon.state')}</th><th>${t('guard.dir')}</th><th>${t('guard.mode')}</th>
            <th>${t('guard.events_24h')}</th><th>${t('guard.last')}</th></tr></thead>
        <tbody>${dirs.map((d) => html`<tr data-state=${d.unrestored ? 'changed' : 'intact'}>
            <td><span class=${'badge ' + (d.unrestored ? 'mon-down' : 'mon-up')}>${d.unrestored
                ? t('guard.unrestored', { n: d.unrestored }) : t('guard.intact')}</span></td>
            <td>${d.asset && html`<strong>${d.asset}</strong> `}<span class="url">${d.root}</span>
                ${d.publishing && html`<div class="publishing" role="status">${t('guard.window', { who: d.publishing.by })}
                    <${Time} at=${d.publishing.until} /></div>`}
                ${manage && html`<${Publish} root=${d.root} reload=${reload} />`}</td>
            <td>${t('guard.mode.' + d.mode)}</td><td>${d.events_24h}</td><td><${Time} at=${d.last_event} /></td>
        </tr>`)}</tbody></table>`;
}

// Takes a change the guard left in place (alert-only, or a restore that
// failed) into the baseline: the file as it now is becomes the original.
function Accept({ path }) {
    const act = useAction();
    const [done, setDone] = useState(false);
    if (done) return html`<span class="ok" role="status">${t('guard.accepted')}</span>`;
    return html`<button type="button" disabled=${act.busy} aria-label=${t('guard.accept_label', { path })}
        onClick=${() => act.run(() => post('/guard/accept', { paths: [path] }), () => setDone(true))}>
        ${t('guard.accept')}</button><${ErrorNote} error=${act.error} />`;
}

function Hash({ sha }) {
    return sha ? html`<code class="hash">${sha}</code>` : html`<span class="muted">—</span>`;
}

export function Guard({ me }) {
    const s = useLoad(() => get('/guard'), [], 10000);
    const g = s.data;
    return html`<h1>${t('nav.guard')}</h1>
        <p class="muted">${t('guard.intro')}</p>
        <${Loading} state=${s} />
        ${g && html`<section class="card" aria-labelledby="g-dirs"><h2 id="g-dirs">${t('guard.dirs')}</h2>
            <${GuardDirs} dirs=${g.dirs} manage=${me.can('guard.manage')} reload=${s.reload} /></section>
        <section class="card" aria-labelledby="g-ev"><h2 id="g-ev">${t('guard.events')}</h2>
            ${g.events.length ? html`<table class="list guard-events">
                <thead><tr><th>${t('ev.when')}</th><th>${t('guard.path')}</th><th>${t('guard.change')}</th>
                    <th>${t('guard.action')}</th><th>${t('guard.before')}</th><th>${t('guard.after')}</th>
                    <th>${t('guard.restore_ms')}</th>${me.can('guard.manage') && html`<th></th>`}</tr></thead>
                <tbody>${g.events.map((ev) => {
                    const d = ev.details || {};
                    const act = ACTIONS.includes(d.action) ? d.action : 'other';
                    return html`<tr data-action=${d.action}>
                        <td><${Time} at=${ev.last_seen} />${ev.count > 1 && html` ×${ev.count}`}</td>
                        <td><span class="url">${d.path}</span>${d.webshell_rule && html`
                            <div><span class="badge overdue">${t('guard.webshell')}</span> ${d.webshell_rule}</div>`}</td>
                        <td>${(d.change || '').split(',').filter(Boolean).map((c) => t('guard.kind.' + c)).join('、')}</td>
                        <td>${t('guard.act.' + act)}</td>
                        <td><${Hash} sha=${d.before_sha256} /></td><td><${Hash} sha=${d.after_sha256} /></td>
                        <td>${d.restore_ms !== undefined ? d.restore_ms.toFixed(1) + ' ms' : '—'}</td>
                        ${me.can('guard.manage') && html`<td>${(d.action === 'alerted' || d.action === 'failed')
                            && d.path && html`<${Accept} path=${d.path} />`}</td>`}</tr>`;
                })}</tbody></table>` : html`<${Empty} />`}
            <p class="muted">${me.can('guard.manage') ? t('guard.howto_ui') : t('guard.howto')}</p>
        </section>`}`;
}
