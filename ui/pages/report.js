// A department's part: report what it saw in a few fields, and finish the
// tasks the office gave it.
import { html, useState } from '../lib/html.js';
import { t } from '../lib/i18n.js';
import { get, post } from '../lib/api.js';
import { useLoad, useAction, Loading, ErrorNote, Field, Time, Empty, bind, CATEGORIES } from '../lib/widgets.js';
import { zonedToUtc, utcToZoned } from '../lib/format.js';

const HOW_BAD = ['threat', 'impaired', 'down', 'tampered', 'data'];

export function Report() {
    const blank = () => ({ what: '', where: '', when: utcToZoned(), how_bad: 'threat', category: '', detail: '' });
    const [form, setForm] = useState(blank());
    const [sent, setSent] = useState(null);
    const act = useAction();
    const submit = (e) => {
        e.preventDefault();
        const body = { what: form.what, where: form.where, when: zonedToUtc(form.when), how_bad: form.how_bad };
        if (form.category) body.category = form.category;
        if (form.detail) body.detail = form.detail;
        act.run(() => post('/department-reports', body), (out) => { setSent(out.event); setForm(blank()); });
    };
    return html`<h1>${t('nav.report')}</h1>
        <p class="muted">${t('dr.intro')}</p>
        ${sent && html`<p role="status" class="ok">${t('dr.sent', { id: sent })}</p>`}
        <form class="card form" onSubmit=${submit} aria-label=${t('nav.report')}>
            <${Field} label=${t('dr.what')} wide><input required ...${bind(form, setForm, 'what')} /><//>
            <${Field} label=${t('dr.where')} hint=${t('dr.where_hint')}><input required ...${bind(form, setForm, 'where')} /><//>
            <${Field} label=${t('dr.when')} hint=${t('common.org_time')}>
                <input type="datetime-local" required ...${bind(form, setForm, 'when')} /><//>
            <fieldset class="field wide"><legend class="label">${t('dr.how_bad')}</legend>
                ${HOW_BAD.map((h) => html`<label class="check"><input type="radio" name="how_bad" value=${h}
                    checked=${form.how_bad === h} onChange=${() => setForm({ ...form, how_bad: h })} /> ${t('dr.bad.' + h)}</label>`)}
            </fieldset>
            <${Field} label=${t('dr.category')}><select ...${bind(form, setForm, 'category')}>
                <option value="">${t('dr.category_unknown')}</option>
                ${CATEGORIES.map((c) => html`<option value=${c}>${t('category.' + c)}</option>`)}</select><//>
            <${Field} label=${t('dr.detail')} wide><textarea rows="4" ...${bind(form, setForm, 'detail')}></textarea><//>
            <${ErrorNote} error=${act.error} />
            <button type="submit" class="primary" disabled=${act.busy}>${t('dr.submit')}</button>
        </form>`;
}

function TaskItem({ d, reload }) {
    const act = useAction();
    const [note, setNote] = useState('');
    const done = (e) => {
        e.preventDefault();
        act.run(() => post(`/tasks/${d.id}/done`, note ? { note } : {}), reload);
    };
    return html`<li class=${'card task' + (d.overdue ? ' overdue' : '')}>
        <div>${d.overdue && html`<span class="badge overdue">${t('due.overdue')}</span> `}<strong>${d.what}</strong>
            · <a href=${'#/incidents/' + d.ref}>${d.ref}</a></div>
        <div class="muted">${t('due.by')} <${Time} at=${d.due} /></div>
        <form class="inline" onSubmit=${done}>
            <${Field} label=${t('task.note')}><input value=${note} onInput=${(e) => setNote(e.currentTarget.value)} /><//>
            <button type="submit" disabled=${act.busy}>${t('task.mark_done')}</button></form>
        <${ErrorNote} error=${act.error} />
    </li>`;
}

export function MyTasks() {
    const s = useLoad(() => get('/due?limit=200'), [], 15000);
    const items = ((s.data && s.data.items) || []).filter((d) => d.kind === 'task' && d.ref && d.ref.startsWith('INC-'));
    return html`<h1>${t('nav.tasks')}</h1>
        <${Loading} state=${s} />
        ${s.data && (items.length ? html`<ul class="plain">${items.map((d) =>
            html`<${TaskItem} key=${d.id} d=${d} reload=${s.reload} />`)}</ul>` : html`<${Empty} text=${t('dr.no_tasks')} />`)}`;
}
