// Sign-in: the first thing a visitor without a session sees, at /.
import { html, useState } from '../lib/html.js';
import { t, currentLang, setLang } from '../lib/i18n.js';
import { post } from '../lib/api.js';
import { Field, ErrorNote, useAction, bind } from '../lib/widgets.js';

export function Login({ onSignedIn }) {
    const [form, setForm] = useState({ name: '', password: '' });
    const act = useAction();
    const submit = (e) => {
        e.preventDefault();
        act.run(() => post('/session', form), onSignedIn);
    };
    const other = currentLang() === 'zh' ? 'en' : 'zh';
    return html`<main id="main" class="login">
        <form onSubmit=${submit} aria-labelledby="login-title">
            <h1 id="login-title">${t('login.title')}</h1>
            <p class="muted">${t('login.subtitle')}</p>
            <${Field} label=${t('login.name')}>
                <input name="name" autocomplete="username" required autofocus ...${bind(form, setForm, 'name')} />
            <//>
            <${Field} label=${t('login.password')}>
                <input name="password" type="password" autocomplete="current-password" required
                    ...${bind(form, setForm, 'password')} />
            <//>
            <${ErrorNote} error=${act.error} />
            <button type="submit" class="primary" disabled=${act.busy}>${t('login.submit')}</button>
            <button type="button" class="link" onClick=${() => setLang(other)}>${t('lang.switch')}</button>
        </form>
    </main>`;
}
