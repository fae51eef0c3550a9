// Settings (administrators): the organisation as tocsin.conf names it, the
// notification channels and routes (who hears of what, docs/notify.md),
// the latest notifications, and one's own API tokens for sensors.
import { html, useState } from '../lib/html.js';
import { t } from '../lib/i18n.js';
import { api, get, post, q } from '../lib/api.js';
import { useLoad, useAction, Loading, ErrorNote, Field, Time, Empty, bind, CATEGORIES } from '../lib/widgets.js';

const KINDS = ['smtp', 'webhook', 'dingtalk', 'wecom', 'feishu'];
const TRIGGERS = ['incident', 'escalation', 'proposal', 'warning', 'report'];
const LEVELS = ['I', 'II', 'III', 'IV'];
const ROLES = ['leader', 'officer', 'department', 'auditor', 'admin'];

// Say the kind's settings in the hint; the configuration is JSON.
function AddChannel({ done }) {
    const [form, setForm] = useState({ name: '', kind: 'smtp', config: '' });
    const act = useAction();
    const submit = (e) => {
        e.preventDefault();
        let config;
        try {
            config = JSON.parse(form.config);
        } catch (err) {
            act.setError(new Error(t('set.config_json')));
            return;
        }
        act.run(() => post('/notify/channels', { name: form.name.trim(), kind: form.kind, config }),
            () => { setForm({ name: '', kind: form.kind, config: '' }); done(); });
    };
    return html`<form class="form" onSubmit=${submit} aria-labelledby="s-ch-add">
        <h3 id="s-ch-add">${t('set.channel_add')}</h3>
        <${Field} label=${t('set.channel_name')}><input required maxlength="63" ...${bind(form, setForm, 'name')} /><//>
        <${Field} label=${t('set.kind')}><select ...${bind(form, setForm, 'kind')}>${KINDS.map((k) =>
            html`<option value=${k}>${k}</option>`)}</select><//>
        <${Field} label=${t('set.config')} hint=${t('set.config_hint')} wide>
            <textarea rows="4" required spellcheck="false" placeholder=${form.kind === 'smtp'
                ? '{"url":"smtp://mail.example.gov.cn:587","from":"tocsin@example.gov.cn"}'
                : '{"url":"https://…"}'} ...${bind(form, setForm, 'config')}></textarea><//>
        <${ErrorNote} error=${act.error} />
        <button type="submit" class="primary" disabled=${act.busy}>${t('set.channel_add')}</button></form>`;
}

function ChannelRow({ c, reload }) {
    const act = useAction();
    const [note, setNote] = useState('');
    const go = (verb, after) => act.run(() => api(verb === 'rm' ? 'DELETE' : 'POST',
        '/notify/channels/' + q(c.name) + (verb === 'rm' ? '' : '/' + verb)), () => { setNote(after || ''); reload(); });
    return html`<tr data-channel=${c.name}><td>${c.name}</td><td>${c.kind}</td>
        <td>${c.enabled ? t('set.enabled') : t('set.held')}</td>
        <td><code class="details">${JSON.stringify(c.config)}</code></td>
        <td class="actions">
            <button type="button" disabled=${act.busy} onClick=${() => go('test', t('set.test_queued'))}>${t('set.test')}</button>
            <button type="button" disabled=${act.busy} onClick=${() => go(c.enabled ? 'disable' : 'enable')}>
                ${c.enabled ? t('set.hold') : t('set.release')}</button>
            <button type="button" disabled=${act.busy} onClick=${() => go('rm')}>${t('set.remove')}</button>
            ${note && html`<span class="ok" role="status">${note}</span>`}
            <${ErrorNote} error=${act.error} /></td></tr>`;
}

function AddRoute({ channels, done }) {
    const [form, setForm] = useState({ trigger: 'incident', min_level: '', category: '', role: '', tier: '0', channel: '' });
    const act = useAction();
    const submit = (e) => {
        e.preventDefault();
        const body = { trigger: form.trigger, channel: form.channel || (channels[0] && channels[0].name), tier: Number(form.tier) };
        for (const k of ['min_level', 'category', 'role']) if (form[k]) body[k] = form[k];
        act.run(() => post('/notify/routes', body), done);
    };
    return html`<form class="form" onSubmit=${submit} aria-labelledby="s-rt-add">
        <h3 id="s-rt-add">${t('set.route_add')}</h3>
        <${Field} label=${t('set.trigger')}><select ...${bind(form, setForm, 'trigger')}>${TRIGGERS.map((k) =>
            html`<option value=${k}>${t('set.trigger.' + k)}</option>`)}</select><//>
        <${Field} label=${t('set.min_level')}><select ...${bind(form, setForm, 'min_level')}>
            <option value="">${t('set.any')}</option>${LEVELS.map((l) => html`<option value=${l}>${t('level.' + l)}</option>`)}</select><//>
        <${Field} label=${t('ev.category')}><select ...${bind(form, setForm, 'category')}>
            <option value="">${t('set.any')}</option>${CATEGORIES.map((c) => html`<option value=${c}>${t('category.' + c)}</option>`)}</select><//>
        <${Field} label=${t('user.role')}><select ...${bind(form, setForm, 'role')}>
            <option value="">${t('set.anyone')}</option>${ROLES.map((r) => html`<option value=${r}>${t('role.' + r)}</option>`)}</select><//>
        <${Field} label=${t('set.tier')} hint=${t('set.tier_hint')}><input type="number" min="0" max="9" required
            ...${bind(form, setForm, 'tier')} /><//>
        <${Field} label=${t('set.channel')}><select required value=${form.channel || (channels[0] && channels[0].name) || ''}
            onChange=${(e) => setForm({ ...form, channel: e.currentTarget.value })}>${channels.map((c) =>
            html`<option value=${c.name}>${c.name}</option>`)}</select><//>
        <${ErrorNote} error=${act.error} />
        <button type="submit" class="primary" disabled=${act.busy || !channels.length}>${t('set.route_add')}</button></form>`;
}

function RouteRow({ r, reload }) {
    const act = useAction();
    return html`<tr><td>${t('set.trigger.' + r.trigger)}</td><td>${r.min_level ? t('level.' + r.min_level) : t('set.any')}</td>
        <td>${r.category ? t('category.' + r.category.split('/')[0]) : t('set.any')}</td>
        <td>${r.role ? t('role.' + r.role) : t('set.anyone')}</td><td>${r.tier || ''}</td><td>${r.channel}</td>
        <td><button type="button" disabled=${act.busy} onClick=${() => act.run(() => api('DELETE', '/notify/routes/' + r.id), reload)}>
            ${t('set.remove')}</button><${ErrorNote} error=${act.error} /></td></tr>`;
}

function Notify() {
    const ch = useLoad(() => get('/notify/channels'), [], 0);
    const rt = useLoad(() => get('/notify/routes'), [], 0);
    const ob = useLoad(() => get('/notify/outbox?limit=20'), [], 15000);
    const channels = (ch.data && ch.data.items) || [];
    const routes = (rt.data && rt.data.items) || [];
    const reload = () => { ch.reload(); rt.reload(); ob.reload(); };
    return html`<section class="card" aria-labelledby="s-ch"><h2 id="s-ch">${t('set.channels')}</h2>
            <${Loading} state=${ch} />
            ${channels.length ? html`<table class="list channels"><thead><tr><th>${t('set.channel_name')}</th>
                <th>${t('set.kind')}</th><th>${t('mon.state')}</th><th>${t('set.config')}</th><th></th></tr></thead>
                <tbody>${channels.map((c) => html`<${ChannelRow} key=${c.name} c=${c} reload=${reload} />`)}</tbody></table>`
            : html`<${Empty} text=${t('set.no_channels')} />`}
            <${AddChannel} done=${reload} /></section>
        <section class="card" aria-labelledby="s-rt"><h2 id="s-rt">${t('set.routes')}</h2>
            <p class="muted">${t('set.routes_intro')}</p>
            <${Loading} state=${rt} />
            ${routes.length ? html`<table class="list routes"><thead><tr><th>${t('set.trigger')}</th><th>${t('set.min_level')}</th>
                <th>${t('ev.category')}</th><th>${t('user.role')}</th><th>${t('set.tier')}</th><th>${t('set.channel')}</th><th></th></tr></thead>
                <tbody>${routes.map((r) => html`<${RouteRow} key=${r.id} r=${r} reload=${reload} />`)}</tbody></table>`
            : html`<${Empty} text=${t('set.no_routes')} />`}
            <${AddRoute} channels=${channels} done=${reload} /></section>
        <section class="card" aria-labelledby="s-ob"><h2 id="s-ob">${t('set.outbox')}</h2>
            <${Loading} state=${ob} />
            ${ob.data && (ob.data.items.length ? html`<table class="list outbox"><thead><tr><th>${t('ev.when')}</th>
                <th>${t('set.channel')}</th><th>${t('set.recipient')}</th><th>${t('set.subject')}</th><th>${t('mon.state')}</th></tr></thead>
                <tbody>${ob.data.items.map((m) => html`<tr data-status=${m.status}><td><${Time} at=${m.created_at} /></td>
                    <td>${m.channel}</td><td>${m.recipient}</td><td>${m.subject}</td>
                    <td>${t('set.msg.' + m.status)}${m.last_error && html`<div class="muted">${m.last_error}</div>`}</td></tr>`)}</tbody></table>`
            : html`<${Empty} />`)}</section>`;
}

// One's own tokens: the secret is shown once, when made.
function Tokens({ me }) {
    const s = useLoad(() => get('/tokens'), [], 0);
    const [form, setForm] = useState({ name: '', role: 'department' });
    const [made, setMade] = useState(null);
    const act = useAction();
    const revoke = useAction();
    const submit = (e) => {
        e.preventDefault();
        act.run(() => post('/tokens', { name: form.name.trim(), role: form.role }), (tok) => {
            setMade(tok);
            setForm({ ...form, name: '' });
            s.reload();
        });
    };
    const items = ((s.data && s.data.items) || []).filter((x) => !x.revoked);
    return html`<section class="card" aria-labelledby="s-tok"><h2 id="s-tok">${t('set.tokens')}</h2>
        <p class="muted">${t('set.tokens_intro')}</p>
        <${Loading} state=${s} />
        ${items.length ? html`<table class="list tokens"><thead><tr><th>${t('set.token_name')}</th><th>${t('user.role')}</th>
            <th>${t('set.created')}</th><th>${t('set.last_used')}</th><th></th></tr></thead>
            <tbody>${items.map((x) => html`<tr><td>${x.name}</td><td>${t('role.' + x.role)}</td><td><${Time} at=${x.created_at} /></td>
                <td><${Time} at=${x.last_used_at} /></td><td><button type="button" disabled=${revoke.busy}
                    onClick=${() => revoke.run(() => api('DELETE', '/tokens/' + x.id), s.reload)}>${t('set.revoke')}</button></td></tr>`)}
            </tbody></table>` : html`<${Empty} />`}
        <${ErrorNote} error=${revoke.error} />
        ${made && html`<div class="confirm" role="status"><p>${t('set.token_once', { name: made.name })}</p>
            <code class="hash token">${made.token}</code></div>`}
        <form class="form" onSubmit=${submit} aria-labelledby="s-tok-add"><h3 id="s-tok-add">${t('set.token_add')}</h3>
            <${Field} label=${t('set.token_name')}><input required maxlength="63" ...${bind(form, setForm, 'name')} /><//>
            <${Field} label=${t('user.role')}><select ...${bind(form, setForm, 'role')}>${ROLES.map((r) =>
                html`<option value=${r} selected=${r === form.role}>${t('role.' + r)}</option>`)}</select><//>
            <${ErrorNote} error=${act.error} />
            <button type="submit" class="primary" disabled=${act.busy}>${t('set.token_add')}</button></form>
        <p class="muted">${t('set.signed_in_as', { name: me.display_name })}</p></section>`;
}

export function Settings({ me }) {
    return html`<h1>${t('nav.settings')}</h1>
        <section class="card" aria-labelledby="s-org"><h2 id="s-org">${t('set.org')}</h2>
            <dl class="facts"><dt>${t('set.org_name')}</dt><dd>${me.organisation || '—'}</dd>
                <dt>${t('set.timezone')}</dt><dd>${me.timezone}</dd></dl>
            <p class="muted">${t('set.org_howto')}</p></section>
        ${me.can('notify.read') && html`<${Notify} />`}
        <${Tokens} me=${me} />`;
}
