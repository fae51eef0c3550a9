// Users (administrators): who may sign in, with which role; add, disable,
// enable, set a new password.
import { html, useState } from '../lib/html.js';
import { t } from '../lib/i18n.js';
import { get, post, q } from '../lib/api.js';
import { useLoad, useAction, Loading, ErrorNote, Field, Empty, bind } from '../lib/widgets.js';

const ROLES = ['leader', 'officer', 'department', 'auditor', 'admin'];

function AddUser({ done }) {
    const [form, setForm] = useState({ name: '', display_name: '', role: 'officer', department: '', password: '' });
    const act = useAction();
    const submit = (e) => {
        e.preventDefault();
        const body = { ...form };
        if (!body.department) delete body.department;
        if (!body.display_name) delete body.display_name;
        act.run(() => post('/users', body), () => { setForm({ ...form, name: '', display_name: '', password: '' }); done(); });
    };
    return html`<form class="card form" onSubmit=${submit} aria-labelledby="u-add">
        <h2 id="u-add">${t('user.add')}</h2>
        <${Field} label=${t('user.name')} hint=${t('user.name_hint')}><input required ...${bind(form, setForm, 'name')} /><//>
        <${Field} label=${t('user.display')}><input ...${bind(form, setForm, 'display_name')} /><//>
        <${Field} label=${t('user.role')}><select ...${bind(form, setForm, 'role')}>${ROLES.map((r) =>
            html`<option value=${r}>${t('role.' + r)}</option>`)}</select><//>
        <${Field} label=${t('user.department')}><input required=${form.role === 'department'}
            ...${bind(form, setForm, 'department')} /><//>
        <${Field} label=${t('user.password')} hint=${t('user.password_hint')}>
            <input type="password" autocomplete="new-password" required ...${bind(form, setForm, 'password')} /><//>
        <${ErrorNote} error=${act.error} />
        <button type="submit" class="primary" disabled=${act.busy}>${t('user.add')}</button>
    </form>`;
}

function Row({ u, reload }) {
    const act = useAction();
    const verb = u.disabled ? 'enable' : 'disable';
    return html`<tr><td>${u.name}</td><td>${u.display_name}</td><td>${t('role.' + u.role)}</td>
        <td>${u.department}</td><td>${u.disabled ? t('user.disabled') : t('user.active')}</td>
        <td><button type="button" disabled=${act.busy}
            onClick=${() => act.run(() => post(`/users/${q(u.name)}/${verb}`), reload)}>${t('user.' + verb)}</button>
            <${ErrorNote} error=${act.error} /></td></tr>`;
}

export function Users() {
    const s = useLoad(() => get('/users'), [], 0);
    const items = (s.data && s.data.items) || [];
    return html`<h1>${t('nav.users')}</h1>
        <${AddUser} done=${s.reload} />
        <${Loading} state=${s} />
        ${s.data && (items.length ? html`<table class="list">
            <thead><tr><th>${t('user.name')}</th><th>${t('user.display')}</th><th>${t('user.role')}</th>
                <th>${t('user.department')}</th><th>${t('user.state')}</th><th></th></tr></thead>
            <tbody>${items.map((u) => html`<${Row} key=${u.name} u=${u} reload=${s.reload} />`)}</tbody>
        </table>` : html`<${Empty} />`)}`;
}
