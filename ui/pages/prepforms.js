// The preparedness page's forms: enter a hazard and move it along, plan and
// run a drill, carry out a security check item by item with its evidence,
// record a training with its materials, keep and dispatch supplies, record
// a version of the plan with its document. Each is shown to those whose role
// may do it; the server decides again.
import { html, useState, useEffect } from '../lib/html.js';
import { t } from '../lib/i18n.js';
import { get, post, q, upload } from '../lib/api.js';
import { useAction, ErrorNote, Field, Time, bind, StatusBadge } from '../lib/widgets.js';
import { zonedToUtc, utcToZoned, fmtBytes } from '../lib/format.js';

// A form that folds away behind its button until wanted.
function Folded({ label, form: Form, ...props }) {
    const [open, setOpen] = useState(false);
    if (!open) return html`<p class="noprint"><button type="button" onClick=${() => setOpen(true)}>${label}</button></p>`;
    return html`<${Form} close=${() => setOpen(false)} ...${props} />`;
}

function FormShell({ id, title, act, onSubmit, close, submit, children }) {
    return html`<form class="form sub" onSubmit=${onSubmit} aria-labelledby=${id}>
        <h3 id=${id}>${title}</h3>
        ${children}
        <${ErrorNote} error=${act.error} />
        <button type="submit" class="primary" disabled=${act.busy}>${submit}</button>
        <button type="button" onClick=${close}>${t('common.cancel')}</button></form>`;
}

// ---- hazards ------------------------------------------------------------

function AddHazardForm({ close, reload }) {
    const [form, setForm] = useState({ title: '', severity: 'medium', department: '', deadline: utcToZoned(Date.now() + 7 * 86400000), asset: '', description: '' });
    const act = useAction();
    const submit = (e) => {
        e.preventDefault();
        const body = { title: form.title, severity: form.severity, department: form.department, deadline: zonedToUtc(form.deadline) };
        if (form.asset) body.asset = form.asset;
        if (form.description) body.description = form.description;
        act.run(() => post('/hazards', body), () => { close(); reload(); });
    };
    return html`<${FormShell} id="pf-hz" title=${t('pf.hazard_add')} act=${act} onSubmit=${submit} close=${close} submit=${t('pf.hazard_add')}>
        <${Field} label=${t('prep.title')} wide><input required maxlength="200" ...${bind(form, setForm, 'title')} /><//>
        <${Field} label=${t('prep.severity')}><select ...${bind(form, setForm, 'severity')}>${['low', 'medium', 'high', 'critical'].map((s) =>
            html`<option value=${s}>${t('prep.sev.' + s)}</option>`)}</select><//>
        <${Field} label=${t('prep.department')}><input required maxlength="64" ...${bind(form, setForm, 'department')} /><//>
        <${Field} label=${t('prep.deadline')} hint=${t('common.org_time')}><input type="datetime-local" required ...${bind(form, setForm, 'deadline')} /><//>
        <${Field} label=${t('prep.asset')}><input maxlength="64" ...${bind(form, setForm, 'asset')} /><//>
        <${Field} label=${t('pf.description')} wide><textarea rows="2" ...${bind(form, setForm, 'description')}></textarea><//>
    <//>`;
}

export function AddHazard({ reload }) {
    return html`<${Folded} label=${t('pf.hazard_add')} form=${AddHazardForm} reload=${reload} />`;
}

const SCRIPT_EXAMPLE = 'T+0  门户网站  information-destruction/tampering  tampered  首页被替换为非法内容\nT+5m  OA系统  equipment-failure  down  OA系统停止响应';

const HAZARD_NEXT = { open: 'remediating', remediating: 'fixed', fixed: 'verified' };

// The hazard's next state, with a note: remediating, fixed, verified (by another).
export function HazardStep({ h, me, reload }) {
    const act = useAction();
    const [note, setNote] = useState('');
    const next = HAZARD_NEXT[h.status];
    if (!next || !me.can(next === 'verified' ? 'hazard.verify' : 'hazard.work')) return null;
    const go = (e) => {
        e.preventDefault();
        act.run(() => post(`/hazards/${q(h.ref)}/status`, { status: next, note }), () => { setNote(''); reload(); });
    };
    return html`<form class="inline" onSubmit=${go}>
        <input aria-label=${t('pf.note_for', { ref: h.ref })} placeholder=${t('pf.note')} maxlength="500" value=${note}
            onInput=${(e) => setNote(e.currentTarget.value)} />
        <button type="submit" disabled=${act.busy}>${t('pf.hz.' + next)}</button><${ErrorNote} error=${act.error} /></form>`;
}

// ---- drills -------------------------------------------------------------

function PlanDrillForm({ close, reload }) {
    const [form, setForm] = useState({ title: '', form: 'tabletop', scope: 'single', kind: 'comprehensive',
        planned: utcToZoned(Date.now() + 86400000), script: '', participants: '' });
    const act = useAction();
    const submit = (e) => {
        e.preventDefault();
        const participants = form.participants.split(/[,，\s]+/).filter(Boolean);
        act.run(() => post('/drills', { title: form.title, form: form.form, scope: form.scope, kind: form.kind,
            planned: zonedToUtc(form.planned), script: form.script.endsWith('\n') ? form.script : form.script + '\n', participants }),
        () => { close(); reload(); });
    };
    const sel = (key, opts) => html`<select ...${bind(form, setForm, key)}>${opts.map(([v, k]) => html`<option value=${v}>${t(k)}</option>`)}</select>`;
    return html`<${FormShell} id="pf-dr" title=${t('pf.drill_plan')} act=${act} onSubmit=${submit} close=${close} submit=${t('pf.drill_plan')}>
        <${Field} label=${t('prep.title')} wide><input required maxlength="200" ...${bind(form, setForm, 'title')} /><//>
        <${Field} label=${t('prep.form')}>${sel('form', [['tabletop', 'pf.form.tabletop'], ['hands-on', 'pf.form.hands-on'], ['demonstration', 'pf.form.demonstration']])}<//>
        <${Field} label=${t('pf.scope')}>${sel('scope', [['single', 'pf.scope.single'], ['joint', 'pf.scope.joint']])}<//>
        <${Field} label=${t('pf.dkind')}>${sel('kind', [['comprehensive', 'pf.dkind.comprehensive'], ['special', 'pf.dkind.special']])}<//>
        <${Field} label=${t('prep.planned')} hint=${t('common.org_time')}><input type="datetime-local" required ...${bind(form, setForm, 'planned')} /><//>
        <${Field} label=${t('pf.script')} hint=${t('pf.script_hint')} wide><textarea rows="4" required spellcheck="false"
            placeholder=${SCRIPT_EXAMPLE}
            ...${bind(form, setForm, 'script')}></textarea><//>
        <${Field} label=${t('pf.participants')} hint=${t('pf.participants_hint')} wide><input required ...${bind(form, setForm, 'participants')} /><//>
    <//>`;
}

export function PlanDrill({ reload }) {
    return html`<${Folded} label=${t('pf.drill_plan')} form=${PlanDrillForm} reload=${reload} />`;
}

export function DrillStep({ d, me, reload }) {
    const act = useAction();
    if (!me.can('drill.manage') || d.status === 'finished') return null;
    const verb = d.status === 'planned' ? 'start' : 'finish';
    return html`<button type="button" disabled=${act.busy} onClick=${() => act.run(() => post(`/drills/${q(d.ref)}/${verb}`), reload)}>
        ${verb === 'start' ? t('pf.drill_start') : t('pf.drill_finish')}</button><${ErrorNote} error=${act.error} />`;
}

// ---- files kept with a record --------------------------------------------

export function Files({ files }) {
    if (!files || !files.length) return null;
    return html`<ul class="files">${files.map((f) => html`<li><a href=${'/api/v1/files/' + f.id} download=${f.name}>${f.name}</a>
        <span class="muted"> ${fmtBytes(f.size)} · ${f.added_by} · <${Time} at=${f.added_at} /></span>
        <code class="hash">${f.sha256}</code></li>`)}</ul>`;
}

// Sends one file as the request's body to path (…/files).
export function AttachFile({ path, label, reload }) {
    const act = useAction();
    const [file, setFile] = useState(null);
    const send = (e) => {
        e.preventDefault();
        if (!file) return;
        act.run(() => upload(`${path}?name=${q(file.name)}`, file), () => { setFile(null); e.target.reset(); reload(); });
    };
    return html`<form class="inline" onSubmit=${send}>
        <input type="file" required aria-label=${label} onChange=${(e) => setFile(e.currentTarget.files[0] || null)} />
        <button type="submit" disabled=${act.busy || !file}>${t('pf.attach')}</button><${ErrorNote} error=${act.error} /></form>`;
}

// ---- security checks -----------------------------------------------------

// A failed item becomes a hazard in one step, carrying the item and its note.
function ItemHazard({ run, it, reload }) {
    const [form, setForm] = useState({ department: '', severity: 'medium', deadline: utcToZoned(Date.now() + 7 * 86400000) });
    const act = useAction();
    const submit = (e) => {
        e.preventDefault();
        act.run(() => post(`/check-runs/${run.run}/items/${it.item}/hazard`, { department: form.department, severity: form.severity,
            deadline: zonedToUtc(form.deadline) }), reload);
    };
    return html`<form class="inline" onSubmit=${submit}>
        <input required maxlength="64" aria-label=${t('pf.hazard_dept', { n: it.item })} placeholder=${t('prep.department')}
            ...${bind(form, setForm, 'department')} />
        <select aria-label=${t('pf.hazard_sev', { n: it.item })} ...${bind(form, setForm, 'severity')}>${['low', 'medium', 'high', 'critical'].map((v) =>
            html`<option value=${v}>${t('prep.sev.' + v)}</option>`)}</select>
        <input type="datetime-local" required aria-label=${t('pf.hazard_deadline', { n: it.item })} ...${bind(form, setForm, 'deadline')} />
        <button type="submit" disabled=${act.busy}>${t('pf.to_hazard')}</button><${ErrorNote} error=${act.error} /></form>`;
}

function CheckItem({ run, it, me, reload }) {
    const act = useAction();
    const [result, setResult] = useState(it.result || 'pass');
    const [note, setNote] = useState(it.note || '');
    const done = !!run.finished_at;
    const save = (e) => {
        e.preventDefault();
        act.run(() => post(`/check-runs/${run.run}/items/${it.item}`, { result, note }), reload);
    };
    return html`<li data-item=${it.item}><strong>${it.item}. ${it.text}</strong>
        ${it.expected && html` <span class="muted">${t('pf.expected', { e: it.expected })}</span>`}
        ${it.result && html` <${StatusBadge} status=${it.result} kind="pf.res" />`}
        ${!done && html`<form class="inline" onSubmit=${save}>
            <select aria-label=${t('pf.result_for', { n: it.item })} value=${result} onChange=${(e) => setResult(e.currentTarget.value)}>
                ${['pass', 'fail', 'na'].map((r) => html`<option value=${r}>${t('pf.res.' + r)}</option>`)}</select>
            <input aria-label=${t('pf.note_for', { ref: it.item })} placeholder=${t('pf.note')} maxlength="500" value=${note}
                onInput=${(e) => setNote(e.currentTarget.value)} />
            <button type="submit" disabled=${act.busy}>${t('pf.record')}</button><${ErrorNote} error=${act.error} /></form>`}
        ${it.hazard ? html` <span class="badge">${t('pf.became_hazard', { ref: it.hazard })}</span>`
            : it.result === 'fail' && me.can('hazard.report') && html`<${ItemHazard} run=${run} it=${it} reload=${reload} />`}</li>`;
}

function RunPanel({ id, me, close }) {
    const [run, setRun] = useState(null);
    const act = useAction();
    const load = () => get('/check-runs/' + id).then(setRun, act.setError);
    useEffect(() => { load(); }, [id]);
    if (!run) return html`<${ErrorNote} error=${act.error} />`;
    return html`<section class="sub" aria-labelledby="pf-run"><h3 id="pf-run">${t('pf.run_title', { name: run.checklist, n: run.run })}</h3>
        <ol class="plain check-items">${run.items.map((it) => html`<${CheckItem} key=${it.item} run=${run} it=${it} me=${me} reload=${load} />`)}</ol>
        <${Files} files=${run.files} />
        <${AttachFile} path=${'/check-runs/' + run.run + '/files'} label=${t('pf.attach_evidence')} reload=${load} />
        ${run.finished_at ? html`<p role="status">${t('pf.run_done')} <${StatusBadge} status=${run.result} kind="pf.res" /></p>`
            : html`<p><button type="button" class="primary" disabled=${act.busy}
                onClick=${() => act.run(() => post(`/check-runs/${run.run}/finish`), load)}>${t('pf.run_finish')}</button></p>`}
        <${ErrorNote} error=${act.error} />
        <button type="button" class="link" onClick=${close}>${t('common.close')}</button></section>`;
}

export function StartCheck({ c, me }) {
    const act = useAction();
    const [run, setRun] = useState(null);
    if (!me.can('check.run')) return null;
    if (run) return html`<${RunPanel} id=${run} me=${me} close=${() => setRun(null)} />`;
    return html`<button type="button" disabled=${act.busy}
        onClick=${() => act.run(() => post(`/checklists/${q(c.name)}/runs`), (r) => setRun(r.run))}>${t('pf.run_start')}</button>
        <${ErrorNote} error=${act.error} />`;
}

// ---- training -------------------------------------------------------------

function AddTrainingForm({ close, reload }) {
    const [form, setForm] = useState({ topic: '', date: utcToZoned(), trainer: '', place: '', publicity: false });
    const act = useAction();
    const submit = (e) => {
        e.preventDefault();
        act.run(() => post('/trainings', { topic: form.topic, date: zonedToUtc(form.date), trainer: form.trainer,
            place: form.place, publicity: form.publicity }), () => { close(); reload(); });
    };
    return html`<${FormShell} id="pf-tr" title=${t('pf.training_add')} act=${act} onSubmit=${submit} close=${close} submit=${t('pf.training_add')}>
        <${Field} label=${t('pf.topic')} wide><input required maxlength="200" ...${bind(form, setForm, 'topic')} /><//>
        <${Field} label=${t('prep.date')} hint=${t('common.org_time')}><input type="datetime-local" required ...${bind(form, setForm, 'date')} /><//>
        <${Field} label=${t('prep.trainer')}><input required maxlength="100" ...${bind(form, setForm, 'trainer')} /><//>
        <${Field} label=${t('pf.place')}><input maxlength="100" ...${bind(form, setForm, 'place')} /><//>
        <label class="check"><input type="checkbox" checked=${form.publicity}
            onChange=${(e) => setForm({ ...form, publicity: e.currentTarget.checked })} />${t('pf.publicity')}</label>
    <//>`;
}

export function AddTraining({ reload }) {
    return html`<${Folded} label=${t('pf.training_add')} form=${AddTrainingForm} reload=${reload} />`;
}

// A training's materials: listed, and added by those who record training.
export function TrainingFiles({ tr, me }) {
    const [data, setData] = useState(null);
    const act = useAction();
    const load = () => act.run(() => get('/trainings/' + q(tr.ref)), setData);
    if (!data) return html`<button type="button" class="link" disabled=${act.busy} onClick=${load}>${t('pf.materials')}</button>`;
    return html`<${Files} files=${data.files} />${me.can('training.manage')
        && html`<${AttachFile} path=${'/trainings/' + q(tr.ref) + '/files'} label=${t('pf.attach_material', { ref: tr.ref })} reload=${load} />`}`;
}

// ---- supplies --------------------------------------------------------------

function AddSupplyForm({ close, reload }) {
    const [form, setForm] = useState({ name: '', kind: 'hardware', quantity: '1', location: '' });
    const act = useAction();
    const submit = (e) => {
        e.preventDefault();
        act.run(() => post('/supplies', { name: form.name, kind: form.kind, quantity: Number(form.quantity), location: form.location }),
            () => { close(); reload(); });
    };
    return html`<${FormShell} id="pf-su" title=${t('pf.supply_add')} act=${act} onSubmit=${submit} close=${close} submit=${t('pf.supply_add')}>
        <${Field} label=${t('prep.title')}><input required maxlength="200" ...${bind(form, setForm, 'name')} /><//>
        <${Field} label=${t('prep.kind')}><select ...${bind(form, setForm, 'kind')}>${['hardware', 'software', 'rescue'].map((k) =>
            html`<option value=${k}>${t('prep.skind.' + k)}</option>`)}</select><//>
        <${Field} label=${t('prep.quantity')}><input type="number" min="0" max="1000000" required ...${bind(form, setForm, 'quantity')} /><//>
        <${Field} label=${t('prep.location')}><input required maxlength="200" ...${bind(form, setForm, 'location')} /><//>
    <//>`;
}

export function AddSupply({ reload }) {
    return html`<${Folded} label=${t('pf.supply_add')} form=${AddSupplyForm} reload=${reload} />`;
}

// A dispatch request for an incident; a leader approves it in the inbox.
export function Dispatch({ s, me }) {
    const [form, setForm] = useState({ quantity: '1', incident: '', reason: '' });
    const [sent, setSent] = useState(false);
    const act = useAction();
    if (!me.can('supply.dispatch')) return null;
    if (sent) return html`<span class="ok" role="status">${t('pf.dispatch_sent')}</span>`;
    const submit = (e) => {
        e.preventDefault();
        act.run(() => post(`/supplies/${q(s.ref)}/dispatch`, { quantity: Number(form.quantity), incident: form.incident.trim(), reason: form.reason }),
            () => setSent(true));
    };
    return html`<form class="inline" onSubmit=${submit}>
        <input type="number" min="1" required aria-label=${t('pf.dispatch_qty', { ref: s.ref })} ...${bind(form, setForm, 'quantity')} />
        <input required placeholder="INC-2026-0001" aria-label=${t('pf.dispatch_incident', { ref: s.ref })} ...${bind(form, setForm, 'incident')} />
        <input required placeholder=${t('pf.reason')} aria-label=${t('pf.dispatch_reason', { ref: s.ref })} ...${bind(form, setForm, 'reason')} />
        <button type="submit" disabled=${act.busy}>${t('pf.dispatch')}</button><${ErrorNote} error=${act.error} /></form>`;
}

// ---- the plan ---------------------------------------------------------------

function RevisePlanForm({ close, reload }) {
    const [form, setForm] = useState({ version: '', title: '', effective: utcToZoned(), approved_by: '', cites: '', note: '' });
    const [file, setFile] = useState(null);
    const act = useAction();
    const submit = (e) => {
        e.preventDefault();
        const body = { version: form.version.trim(), title: form.title, effective: zonedToUtc(form.effective),
            approved_by: form.approved_by, cites: form.cites.split(/[,，\s]+/).filter(Boolean) };
        if (form.note) body.note = form.note;
        act.run(async () => {
            await post('/plan/versions', body);
            if (file) await upload(`/plan/versions/${q(body.version)}/files?name=${q(file.name)}`, file);
        }, () => { close(); reload(); });
    };
    return html`<${FormShell} id="pf-pl" title=${t('pf.plan_revise')} act=${act} onSubmit=${submit} close=${close} submit=${t('pf.plan_revise')}>
        <${Field} label=${t('prep.version')}><input required maxlength="64" ...${bind(form, setForm, 'version')} /><//>
        <${Field} label=${t('prep.title')} wide><input required maxlength="256" ...${bind(form, setForm, 'title')} /><//>
        <${Field} label=${t('prep.effective')} hint=${t('common.org_time')}><input type="datetime-local" required ...${bind(form, setForm, 'effective')} /><//>
        <${Field} label=${t('prep.approved_by')}><input required maxlength="128" ...${bind(form, setForm, 'approved_by')} /><//>
        <${Field} label=${t('pf.cites')} hint=${t('pf.cites_hint')} wide><input ...${bind(form, setForm, 'cites')} /><//>
        <${Field} label=${t('pf.note')} wide><textarea rows="2" ...${bind(form, setForm, 'note')}></textarea><//>
        <${Field} label=${t('pf.document')}><input type="file" onChange=${(e) => setFile(e.currentTarget.files[0] || null)} /><//>
    <//>`;
}

export function RevisePlan({ reload }) {
    return html`<${Folded} label=${t('pf.plan_revise')} form=${RevisePlanForm} reload=${reload} />`;
}

// ---- a drill's report -------------------------------------------------------

function FindingForm({ d, reload }) {
    const [form, setForm] = useState({ text: '', department: '', due: utcToZoned(Date.now() + 30 * 86400000) });
    const act = useAction();
    const submit = (e) => {
        e.preventDefault();
        act.run(() => post(`/drills/${q(d.ref)}/findings`, { text: form.text, department: form.department, due: zonedToUtc(form.due) }),
            () => { setForm({ ...form, text: '' }); reload(); });
    };
    return html`<form class="form sub" onSubmit=${submit} aria-labelledby="pf-fd"><h3 id="pf-fd">${t('pf.finding_add')}</h3>
        <${Field} label=${t('pf.finding')} wide><input required maxlength="1000" ...${bind(form, setForm, 'text')} /><//>
        <${Field} label=${t('prep.department')}><input required maxlength="128" ...${bind(form, setForm, 'department')} /><//>
        <${Field} label=${t('prep.deadline')} hint=${t('common.org_time')}><input type="datetime-local" required ...${bind(form, setForm, 'due')} /><//>
        <${ErrorNote} error=${act.error} />
        <button type="submit" class="primary" disabled=${act.busy}>${t('pf.finding_add')}</button></form>`;
}

function FindingDone({ f, reload }) {
    const act = useAction();
    if (f.done_at) return html`<span class="ok">${t('pf.finding_done_by', { who: f.done_by })}</span> <${Time} at=${f.done_at} />`;
    return html`<button type="button" disabled=${act.busy} onClick=${() => act.run(() => post(`/drill-findings/${f.id}/done`), reload)}>
        ${t('pf.finding_done')}</button><${ErrorNote} error=${act.error} />`;
}

// The drill's report: each step people took against the plan's deadline, in
// words (met or missed) as well as colour; practice reports; findings.
export function DrillReport({ d, me }) {
    const [open, setOpen] = useState(false);
    const [data, setData] = useState(null);
    const act = useAction();
    const load = () => act.run(() => get('/drills/' + q(d.ref)), setData);
    useEffect(() => { if (open) load(); }, [open]);
    if (!open) return html`<button type="button" class="link" onClick=${() => setOpen(true)}>${t('pf.drill_report')}</button>`;
    if (!data) return html`<${ErrorNote} error=${act.error} />`;
    const mins = (s) => (s / 60).toFixed(s < 600 ? 1 : 0);
    return html`<section class="sub drill-report" aria-labelledby=${'pf-rep-' + d.ref}>
        <h3 id=${'pf-rep-' + d.ref}>${t('pf.drill_report_title', { ref: d.ref })}</h3>
        <p>${t('pf.participants')}: ${data.participants.join('、') || '—'}</p>
        ${data.steps.length ? html`<table class="list steps"><thead><tr><th>${t('pf.step')}</th><th>${t('prep.ref')}</th>
            <th>${t('pf.after')}</th><th>${t('pf.deadline')}</th></tr></thead><tbody>${data.steps.map((s) => html`<tr data-met=${String(s.met)}>
                <td>${t('pf.step.' + s.step.replace(/ /g, '_'))}</td><td>${s.object}</td><td>${t('pf.minutes', { n: mins(s.after_s) })}</td>
                <td>${s.deadline_s ? html`${t('pf.minutes', { n: mins(s.deadline_s) })} · <strong class=${s.met ? 'ok' : 'error'}>
                    ${s.met ? t('pf.met') : t('pf.missed')}</strong>` : '—'}</td></tr>`)}</tbody></table>`
            : html`<p class="muted">${t('pf.no_steps')}</p>`}
        ${data.practice_reports.map((r) => html`<details><summary>${t('inc.practice_title')} · ${r.incident} · ${r.drafted_by}
            <${Time} at=${r.drafted_at} /></summary><pre class="doc">${r.text}</pre></details>`)}
        <h4>${t('pf.findings')}</h4>
        ${data.findings.length ? html`<ul class="plain findings">${data.findings.map((f) => html`<li>${f.text} · ${f.department}
            · <${Time} at=${f.due_at} /> ${me.can('drill.manage') && html`<${FindingDone} f=${f} reload=${load} />`}</li>`)}</ul>`
            : html`<p class="muted">${t('common.none')}</p>`}
        ${me.can('drill.manage') && d.status !== 'planned' && html`<${FindingForm} d=${d} reload=${load} />`}
        <button type="button" class="link" onClick=${() => setOpen(false)}>${t('common.close')}</button></section>`;
}

// ---- risk assessments, checklists, attendance ----------------------------------

function RiskForm({ close, reload }) {
    const blank = { threat: '', likelihood: '3', impact: '3', treatment: '', owner: '' };
    const [form, setForm] = useState({ asset: '', review: utcToZoned(Date.now() + 180 * 86400000), note: '' });
    const [threats, setThreats] = useState([{ ...blank }]);
    const act = useAction();
    const setThreat = (i, key, value) => setThreats(threats.map((x, k) => (k === i ? { ...x, [key]: value } : x)));
    const submit = (e) => {
        e.preventDefault();
        const body = { asset: form.asset, review: zonedToUtc(form.review),
            threats: threats.map((x) => ({ threat: x.threat, likelihood: Number(x.likelihood), impact: Number(x.impact), treatment: x.treatment, owner: x.owner })) };
        if (form.note) body.note = form.note;
        act.run(() => post('/risk-assessments', body), () => { close(); reload(); });
    };
    const score = (x) => Number(x.likelihood) * Number(x.impact);
    return html`<${FormShell} id="pf-rk" title=${t('pf.risk_add')} act=${act} onSubmit=${submit} close=${close} submit=${t('pf.risk_add')}>
        <${Field} label=${t('prep.asset')}><input required maxlength="64" ...${bind(form, setForm, 'asset')} /><//>
        <${Field} label=${t('prep.review')} hint=${t('common.org_time')}><input type="datetime-local" required ...${bind(form, setForm, 'review')} /><//>
        ${threats.map((x, i) => html`<fieldset class="field wide threat"><legend>${t('pf.threat_n', { n: i + 1 })} · ${t('pf.score', { n: score(x) })}</legend>
            <div class="form">
            <${Field} label=${t('pf.threat')}><input required maxlength="200" value=${x.threat} onInput=${(e) => setThreat(i, 'threat', e.currentTarget.value)} /><//>
            <${Field} label=${t('pf.likelihood')}><select value=${x.likelihood} onChange=${(e) => setThreat(i, 'likelihood', e.currentTarget.value)}>
                ${[1, 2, 3, 4, 5].map((n) => html`<option value=${n}>${n}</option>`)}</select><//>
            <${Field} label=${t('pf.impact')}><select value=${x.impact} onChange=${(e) => setThreat(i, 'impact', e.currentTarget.value)}>
                ${[1, 2, 3, 4, 5].map((n) => html`<option value=${n}>${n}</option>`)}</select><//>
            <${Field} label=${t('pf.treatment')}><input required maxlength="500" value=${x.treatment} onInput=${(e) => setThreat(i, 'treatment', e.currentTarget.value)} /><//>
            <${Field} label=${t('pf.owner')}><input required maxlength="128" value=${x.owner} onInput=${(e) => setThreat(i, 'owner', e.currentTarget.value)} /><//>
            </div></fieldset>`)}
        <button type="button" onClick=${() => setThreats([...threats, { ...blank }])}>${t('pf.threat_more')}</button>
        <${Field} label=${t('pf.note')} wide><textarea rows="2" ...${bind(form, setForm, 'note')}></textarea><//>
    <//>`;
}

export function AddRisk({ reload }) {
    return html`<${Folded} label=${t('pf.risk_add')} form=${RiskForm} reload=${reload} />`;
}

const AUTO_ITEMS = ['monitors-up', 'certs-30d', 'guard-intact', 'no-overdue-tasks', 'no-overdue-hazards', 'backups-good'];

function ChecklistForm({ close, reload }) {
    const [form, setForm] = useState({ name: '', schedule: 'daily', date: utcToZoned(), items: '' });
    const [autos, setAutos] = useState([]);
    const act = useAction();
    const submit = (e) => {
        e.preventDefault();
        const items = form.items.split('\n').map((l) => l.trim()).filter(Boolean).map((l) => {
            const [text, expected] = l.split('|').map((x) => x.trim());
            return expected ? { text, expected } : { text };
        }).concat(autos.map((a) => ({ auto: a })));
        const body = { name: form.name, schedule: form.schedule, items };
        if (form.schedule === 'once') body.date = zonedToUtc(form.date);
        act.run(() => post('/checklists', body), () => { close(); reload(); });
    };
    return html`<${FormShell} id="pf-cl" title=${t('pf.checklist_add')} act=${act} onSubmit=${submit} close=${close} submit=${t('pf.checklist_add')}>
        <${Field} label=${t('prep.title')}><input required maxlength="128" ...${bind(form, setForm, 'name')} /><//>
        <${Field} label=${t('prep.schedule')}><select ...${bind(form, setForm, 'schedule')}>${['daily', 'weekly', 'monthly', 'once'].map((s) =>
            html`<option value=${s}>${t('prep.sched.' + s)}</option>`)}</select><//>
        ${form.schedule === 'once' && html`<${Field} label=${t('prep.date')} hint=${t('common.org_time')}>
            <input type="datetime-local" required ...${bind(form, setForm, 'date')} /><//>`}
        <${Field} label=${t('prep.items')} hint=${t('pf.items_hint')} wide><textarea rows="4" ...${bind(form, setForm, 'items')}></textarea><//>
        <fieldset class="field wide"><legend>${t('pf.auto_items')}</legend>${AUTO_ITEMS.map((a) => html`<label class="check">
            <input type="checkbox" checked=${autos.includes(a)} onChange=${(e) => setAutos(e.currentTarget.checked
                ? [...autos, a] : autos.filter((x) => x !== a))} />${t('pf.auto.' + a)}</label>`)}</fieldset>
    <//>`;
}

export function AddChecklist({ reload }) {
    return html`<${Folded} label=${t('pf.checklist_add')} form=${ChecklistForm} reload=${reload} />`;
}

// Who attended a training: users by name, other staff as NAME@DEPARTMENT.
export function Attend({ tr, reload }) {
    const [form, setForm] = useState({ users: '', people: '' });
    const act = useAction();
    const split = (s) => s.split(/[,，\s]+/).filter(Boolean);
    const submit = (e) => {
        e.preventDefault();
        act.run(() => post(`/trainings/${q(tr.ref)}/attendees`, { users: split(form.users), people: split(form.people) }),
            () => { setForm({ users: '', people: '' }); reload(); });
    };
    return html`<form class="inline" onSubmit=${submit}>
        <input aria-label=${t('pf.attend_users', { ref: tr.ref })} placeholder=${t('pf.attend_users_ph')} ...${bind(form, setForm, 'users')} />
        <input aria-label=${t('pf.attend_people', { ref: tr.ref })} placeholder="张三@财务处" ...${bind(form, setForm, 'people')} />
        <button type="submit" disabled=${act.busy}>${t('pf.attend')}</button><${ErrorNote} error=${act.error} /></form>`;
}
