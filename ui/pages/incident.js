// One incident: facts, level and its reasons, the next steps of its
// lifecycle, playbook tasks, evidence, upward reports, public statements, the
// assessment with its 30-day clock, and the timeline. Refreshed every 10 s.
import { html, useState } from '../lib/html.js';
import { t } from '../lib/i18n.js';
import { get, post, put, upload, q } from '../lib/api.js';
import { useLoad, useAction, Loading, ErrorNote, Field, LevelBadge, StatusBadge, Time, Empty, bind,
    categoryFull } from '../lib/widgets.js';
import { fmtBytes } from '../lib/format.js';

// The lifecycle's next steps (the server decides; these are what it allows).
const NEXT = {
    reported: ['triaged', 'closed'], triaged: ['responding', 'closed'],
    responding: ['contained', 'recovered'], contained: ['recovered'], recovered: ['closed'],
    closed: ['responding'], assessed: [],
};
const LEVELS = ['I', 'II', 'III', 'IV'];

function Steps({ inc, me, reload }) {
    const act = useAction();
    const [reason, setReason] = useState('');
    const [override, setOverride] = useState(false);
    const [level, setLevel] = useState({ level: inc.level || 'IV', reason: '' });
    if (!me.can('incident.manage') && !me.can('incident.ack')) return null;
    const go = (status) => {
        const body = { status };
        if (reason) body.reason = reason;
        if (override) body.override = true;
        act.run(() => post(`/incidents/${q(inc.ref)}/status`, body), () => { setReason(''); setOverride(false); reload(); });
    };
    const setLv = (e) => {
        e.preventDefault();
        act.run(() => post(`/incidents/${q(inc.ref)}/level`, level), reload);
    };
    return html`<section class="card" aria-labelledby="i-steps">
        <h2 id="i-steps">${t('inc.steps')}</h2>
        ${me.can('incident.ack') && !inc.acknowledged_at && html`<p>
            <button type="button" class="primary" disabled=${act.busy}
                onClick=${() => act.run(() => post(`/incidents/${q(inc.ref)}/ack`), reload)}>${t('inc.ack')}</button></p>`}
        ${me.can('incident.manage') && html`<div class="actions">
            <${Field} label=${t('inc.step_reason')}>
                <input value=${reason} onInput=${(e) => setReason(e.currentTarget.value)} /><//>
            ${NEXT[inc.status].includes('closed') && html`<label class="check"><input type="checkbox" checked=${override}
                onChange=${(e) => setOverride(e.currentTarget.checked)} /> ${t('inc.override')}</label>`}
            ${NEXT[inc.status].map((s) => html`<button type="button" disabled=${act.busy}
                onClick=${() => go(s)}>${t('inc.to.' + s)}</button>`)}
        </div>
        <form class="inline" onSubmit=${setLv}>
            <${Field} label=${t('inc.level')}>
                <select ...${bind(level, setLevel, 'level')}>${LEVELS.map((l) =>
                    html`<option value=${l}>${t('level.' + l)}</option>`)}</select><//>
            <${Field} label=${t('inc.level_reason')}>
                <input required ...${bind(level, setLevel, 'reason')} /><//>
            <button type="submit" disabled=${act.busy}>${t('inc.set_level')}</button>
        </form>`}
        <${ErrorNote} error=${act.error} />
    </section>`;
}

function Task({ task, me, reload }) {
    const act = useAction();
    const [note, setNote] = useState('');
    const done = (e) => {
        e.preventDefault();
        act.run(() => post(`/tasks/${task.id}/done`, note ? { note } : {}), reload);
    };
    const late = !task.done_at && task.due_at && new Date(task.due_at) < new Date();
    return html`<li class=${'task' + (task.done_at ? ' done' : '') + (late ? ' overdue' : '')}>
        <div><strong>${task.title}</strong> <span class="muted">${task.clause}</span>
            ${task.mandatory ? html` <span class="badge">${t('task.mandatory')}</span>` : ''}
            ${late && html` <span class="badge overdue">${t('due.overdue')}</span>`}</div>
        <div class="muted">${t('task.owner')}: ${task.assignee || task.department || t('role.' + task.owner_role)}
            · ${t('due.by')} <${Time} at=${task.due_at} /></div>
        ${task.done_at ? html`<div>${t('task.done_by', { who: task.done_by })} <${Time} at=${task.done_at} />
            ${task.note && html` — ${task.note}`}</div>`
        : me.can('task.done') && html`<form class="inline" onSubmit=${done}>
            <${Field} label=${t('task.note')}><input value=${note} onInput=${(e) => setNote(e.currentTarget.value)} /><//>
            <button type="submit" disabled=${act.busy}>${t('task.mark_done')}</button>
            <${ErrorNote} error=${act.error} /></form>`}
    </li>`;
}

function Evidence({ inc, me, reload }) {
    const act = useAction();
    const [file, setFile] = useState(null);
    const [note, setNote] = useState('');
    const [text, setText] = useState('');
    const [verified, setVerified] = useState(null);
    const send = (e) => {
        e.preventDefault();
        if (!file) return;
        const path = `/incidents/${q(inc.ref)}/evidence/files?name=${q(file.name)}` + (note ? `&note=${q(note)}` : '');
        act.run(() => upload(path, file), () => { setFile(null); setNote(''); e.target.reset(); reload(); });
    };
    const addNote = (e) => {
        e.preventDefault();
        act.run(() => post(`/incidents/${q(inc.ref)}/evidence`, { text }), () => { setText(''); reload(); });
    };
    const verify = () => act.run(() => post(`/incidents/${q(inc.ref)}/evidence/verify`), setVerified);
    return html`<section class="card" aria-labelledby="i-ev">
        <h2 id="i-ev">${t('ev.title')}</h2>
        ${inc.evidence.length ? html`<table class="list evidence">
            <thead><tr><th>${t('ev.name')}</th><th>${t('ev.kind')}</th><th>${t('ev.size')}</th>
                <th>SHA-256</th><th>${t('ev.added')}</th><th></th></tr></thead>
            <tbody>${inc.evidence.map((x) => html`<tr>
                <td>${x.name}${x.note && html`<div class="muted">${x.note}</div>`}</td>
                <td>${t('evkind.' + x.kind)}</td><td>${fmtBytes(x.size)}</td>
                <td><code class="hash">${x.sha256}</code></td>
                <td>${x.added_by} <${Time} at=${x.added_at} /></td>
                <td>${me.can('evidence.export') && html`<a href=${`/api/v1/incidents/${q(inc.ref)}/evidence/${x.id}`}
                    download=${x.name}>${t('ev.download')}</a>`}</td></tr>`)}</tbody></table>`
        : html`<${Empty} />`}
        <p><button type="button" onClick=${verify} disabled=${act.busy}>${t('ev.verify')}</button>
            ${verified && html` <span role="status" class=${verified.ok ? 'ok' : 'warn'}>${verified.ok
                ? t('ev.verified', { n: verified.items.length }) : t('ev.damaged')}</span>`}</p>
        ${me.can('evidence.add') && html`<form class="inline" onSubmit=${send}>
            <${Field} label=${t('ev.file')}><input type="file" required
                onChange=${(e) => setFile(e.currentTarget.files[0] || null)} /><//>
            <${Field} label=${t('ev.note')}><input value=${note} onInput=${(e) => setNote(e.currentTarget.value)} /><//>
            <button type="submit" disabled=${act.busy || !file}>${t('ev.upload')}</button></form>
        <form class="inline" onSubmit=${addNote}>
            <${Field} label=${t('ev.text')} wide><input required value=${text}
                onInput=${(e) => setText(e.currentTarget.value)} /><//>
            <button type="submit" disabled=${act.busy}>${t('ev.add_note')}</button></form>`}
        <${ErrorNote} error=${act.error} />
    </section>`;
}

function UpwardReport({ inc, rep, me, reload }) {
    const act = useAction();
    const [text, setText] = useState(rep.text);
    const [sent, setSent] = useState({ to: '', via: 'phone' });
    const save = () => act.run(() => put(`/incidents/${q(inc.ref)}/reports/${rep.id}`, { text }), reload);
    const mark = (e) => {
        e.preventDefault();
        act.run(() => post(`/incidents/${q(inc.ref)}/reports/${rep.id}/sent`, sent), reload);
    };
    const id = 'rep' + rep.id;
    return html`<article class="report" aria-labelledby=${id}>
        <h3 id=${id}>${t('rep.kind.' + rep.kind)} → ${t('rep.to.' + rep.recipient)}
            ${rep.sent_at ? html` <span class="badge ok">${t('rep.sent')}</span>`
                : html` <span class="muted">${t('due.by')} <${Time} at=${rep.due_at} /></span>`}
            ${rep.late ? html` <span class="badge overdue">${t('rep.late')}</span>` : ''}</h3>
        ${rep.sent_at ? html`<p>${t('rep.sent_detail', { to: rep.sent_to, via: t('via.' + rep.sent_via), who: rep.sent_by })}
            <${Time} at=${rep.sent_at} /></p><pre class="doc">${rep.text}</pre>`
        : me.can('report.manage') ? html`
            <${Field} label=${t('rep.text')} wide><textarea rows="12" value=${text}
                onInput=${(e) => setText(e.currentTarget.value)}></textarea><//>
            <p><button type="button" onClick=${save} disabled=${act.busy}>${t('common.save')}</button></p>
            <form class="inline" onSubmit=${mark}>
                <${Field} label=${t('rep.sent_to')}><input required ...${bind(sent, setSent, 'to')} /><//>
                <${Field} label=${t('rep.via')}><select ...${bind(sent, setSent, 'via')}>
                    ${['phone', 'fax', 'email', 'mail', 'system', 'in-person'].map((v) =>
                        html`<option value=${v}>${t('via.' + v)}</option>`)}</select><//>
                <button type="submit" class="primary" disabled=${act.busy}>${t('rep.mark_sent')}</button>
            </form>` : html`<pre class="doc">${rep.text}</pre>`}
        <${ErrorNote} error=${act.error} />
    </article>`;
}

function Statements({ inc, me, reload }) {
    const act = useAction();
    const [text, setText] = useState('');
    const base = `/incidents/${q(inc.ref)}/statements`;
    const draft = (e) => {
        e.preventDefault();
        act.run(() => post(base, { text }), () => { setText(''); reload(); });
    };
    return html`<section class="card" aria-labelledby="i-st">
        <h2 id="i-st">${t('st.title')}</h2>
        ${inc.statements.length ? html`<ul class="statements">${inc.statements.map((s) => html`<li>
            <${StatusBadge} kind="sts" status=${s.status} /> <span class="muted">${s.created_by} <${Time} at=${s.created_at} /></span>
            <p>${s.text}</p>
            ${(s.status === 'draft' || s.status === 'rejected') && me.can('statement.draft') && html`<button type="button"
                disabled=${act.busy} onClick=${() => act.run(() => post(`${base}/${s.id}/submit`), reload)}>${t('st.submit')}</button>`}
            ${s.status === 'approved' && me.can('statement.release') && html`<button type="button" class="primary"
                disabled=${act.busy} onClick=${() => act.run(() => post(`${base}/${s.id}/release`), reload)}>${t('st.release')}</button>`}
        </li>`)}</ul>` : html`<${Empty} />`}
        ${me.can('statement.draft') && html`<form onSubmit=${draft}>
            <${Field} label=${t('st.text')} wide><textarea rows="3" required value=${text}
                onInput=${(e) => setText(e.currentTarget.value)}></textarea><//>
            <button type="submit" disabled=${act.busy}>${t('st.draft')}</button></form>`}
        <${ErrorNote} error=${act.error} />
    </section>`;
}

const AFIELDS = ['cause', 'nature', 'impact', 'responsibility', 'handling', 'improvements'];

function Assessment({ inc, me, reload }) {
    const s = useLoad(() => get(`/incidents/${q(inc.ref)}/assessment`), [inc.ref, inc.status], 0);
    const [form, setForm] = useState(null);
    const act = useAction();
    if (!s.data) return html`<section class="card"><h2>${t('as.title')}</h2><${Loading} state=${s} /></section>`;
    const a = s.data;
    const f = form || Object.fromEntries(AFIELDS.map((k) => [k, a[k] || '']));
    const days = Math.ceil((new Date(a.due) - Date.now()) / 86400000);
    const save = () => act.run(() => put(`/incidents/${q(inc.ref)}/assessment`, f), () => { setForm(null); s.reload(); });
    const complete = () => act.run(async () => {
        await put(`/incidents/${q(inc.ref)}/assessment`, f);
        return post(`/incidents/${q(inc.ref)}/assessment/complete`);
    }, () => { setForm(null); s.reload(); reload(); });
    const editable = !a.complete && me.can('assessment.manage');
    return html`<section class="card" aria-labelledby="i-as">
        <h2 id="i-as">${t('as.title')}</h2>
        <p class=${a.complete ? 'ok' : a.overdue ? 'warn' : ''} role="status">${a.complete
            ? t('as.completed', { who: a.completed_by }) : a.overdue ? t('as.overdue')
            : t('as.clock', { days })} · ${t('due.by')} <${Time} at=${a.due} /></p>
        <div class="form">${AFIELDS.map((k) => html`<${Field} label=${t('as.' + k)} wide>
            <textarea rows="2" readonly=${!editable} value=${f[k]}
                onInput=${(e) => setForm({ ...f, [k]: e.currentTarget.value })}></textarea><//>`)}</div>
        ${editable && html`<p><button type="button" onClick=${save} disabled=${act.busy}>${t('common.save')}</button>
            <button type="button" class="primary" onClick=${complete} disabled=${act.busy}>${t('as.complete')}</button></p>`}
        <${ErrorNote} error=${act.error} />
    </section>`;
}

// A drill's incident owes no upward report, but drafting one is practised:
// the draft is kept with the drill and timed as one of its steps.
function PracticeReport({ inc }) {
    const act = useAction();
    const [text, setText] = useState('');
    return html`<section class="card" aria-labelledby="i-prac">
        <h2 id="i-prac">${t('inc.practice_title')}</h2>
        <p class="muted">${t('inc.practice_intro', { drill: inc.drill_ref })}</p>
        ${text ? html`<pre class="doc" role="status">${text}</pre>`
            : html`<button type="button" disabled=${act.busy} onClick=${() => act.run(() => post(`/drills/${q(inc.drill_ref)}/reports`,
                { incident: inc.ref }), (r) => setText(r.text))}>${t('inc.practice_draft')}</button>`}
        <${ErrorNote} error=${act.error} /></section>`;
}

export function Incident({ me, arg }) {
    const s = useLoad(() => get('/incidents/' + q(arg)), [arg], 10000);
    const inc = s.data;
    if (!inc) return html`<h1>${arg}</h1><${Loading} state=${s} />`;
    const closed = inc.status === 'closed' || inc.status === 'assessed';
    return html`<div class="incident">
        <p class="noprint"><a href="#/incidents">← ${t('nav.incidents')}</a></p>
        <h1>${inc.ref} ${inc.title}</h1>
        <p class="headline"><${LevelBadge} level=${inc.level} /> <${StatusBadge} status=${inc.status} />
            ${inc.flags && inc.flags.drill ? html` <span class="badge drill">${t('common.drill')}</span>` : ''}
            <button type="button" class="link noprint" onClick=${() => window.print()}>${t('common.print')}</button></p>
        <section class="card" aria-labelledby="i-facts">
            <h2 id="i-facts">${t('inc.facts')}</h2>
            <dl class="facts">
                <dt>${t('inc.category')}</dt><dd>${categoryFull(inc.category_zh, inc.category, inc.subcategory)}</dd>
                <dt>${t('inc.assets')}</dt><dd>${(inc.assets || []).map((a) => a.name || a).join('、') || '—'}</dd>
                <dt>${t('inc.started')}</dt><dd><${Time} at=${inc.started_at} /></dd>
                <dt>${t('inc.acknowledged')}</dt><dd><${Time} at=${inc.acknowledged_at} /></dd>
                <dt>${t('inc.owner')}</dt><dd>${inc.owner_department || '—'} ${inc.owner_user}</dd>
                <dt>${t('inc.reported_by')}</dt><dd>${inc.reported_by}</dd>
                <dt>${t('inc.level_reason')}</dt><dd>${inc.level_reason || '—'}</dd>
                ${inc.proposed_level && inc.proposed_level !== inc.level && html`<dt>${t('inc.proposed')}</dt>
                    <dd><${LevelBadge} level=${inc.proposed_level} /></dd>`}
                <dt>${t('inc.plan_version')}</dt><dd>${inc.plan_version || '—'}</dd>
            </dl>
            ${inc.description && html`<p>${inc.description}</p>`}
        </section>
        <${Loading} state=${s} />
        ${inc.status !== 'assessed' && html`<${Steps} inc=${inc} me=${me} reload=${s.reload} />`}
        <section class="card" aria-labelledby="i-tasks">
            <h2 id="i-tasks">${t('task.title')}</h2>
            ${inc.tasks.length ? html`<ul class="tasks">${inc.tasks.map((k) =>
                html`<${Task} key=${k.id} task=${k} me=${me} reload=${s.reload} />`)}</ul>` : html`<${Empty} />`}
        </section>
        <${Evidence} inc=${inc} me=${me} reload=${s.reload} />
        ${inc.drill_ref && me.can('drill.manage') && html`<${PracticeReport} inc=${inc} />`}
        ${inc.reports.length > 0 && html`<section class="card" aria-labelledby="i-rep">
            <h2 id="i-rep">${t('rep.title')}</h2>
            ${inc.reports.map((r) => html`<${UpwardReport} key=${r.id + ':' + (r.sent_at || '')} inc=${inc} rep=${r} me=${me} reload=${s.reload} />`)}
        </section>`}
        ${me.role !== 'department' && html`<${Statements} inc=${inc} me=${me} reload=${s.reload} />`}
        ${closed && html`<${Assessment} inc=${inc} me=${me} reload=${s.reload} />`}
        <section class="card" aria-labelledby="i-tl">
            <h2 id="i-tl">${t('inc.timeline')}</h2>
            <ol class="timeline">${inc.timeline.map((e) => html`<li><${Time} at=${e.at} />
                <span class="actor">${e.actor}</span> <span>${e.text}</span></li>`)}</ol>
        </section>
    </div>`;
}
