// Preparedness at a glance (P-1…P-4, G-1…G-4, A-1): backups with their last
// verified run, drills, the hazard register, security checks, risk
// assessments, training with each department's attendance, the emergency
// supplies and the plan's versions; with the forms of prepforms.js for each
// part, shown to the roles that may use them.
import { html } from '../lib/html.js';
import { t, pick } from '../lib/i18n.js';
import { get, post, q } from '../lib/api.js';
import { useLoad, useAction, Loading, ErrorNote, Time, Empty } from '../lib/widgets.js';
import { fmtBytes } from '../lib/format.js';
import { AddHazard, HazardStep, PlanDrill, DrillStep, DrillReport, StartCheck, AddChecklist, AddRisk, AddTraining,
    TrainingFiles, Attend, AddSupply, Dispatch, RevisePlan, Files } from './prepforms.js';

// A list as a table: cols are [heading, cell(row)].
function Table({ rows, cols, cls }) {
    if (!rows.length) return html`<${Empty} />`;
    return html`<table class=${'list ' + (cls || '')}><thead><tr>${cols.map(([k]) => html`<th>${k}</th>`)}</tr></thead>
        <tbody>${rows.map((r) => html`<tr>${cols.map(([, cell]) => html`<td>${cell(r)}</td>`)}</tr>`)}</tbody></table>`;
}

function Section({ id, title, path, children }) {
    const s = useLoad(() => get(path), [path], 30000);
    return html`<section class="card" id=${id} aria-labelledby=${id + '-h'}>
        <h2 id=${id + '-h'}>${title}</h2>
        <${Loading} state=${s} />
        ${s.data && children(s.data, s.reload)}
    </section>`;
}

function RunBackup({ name, reload }) {
    const act = useAction();
    return html`<button type="button" disabled=${act.busy}
        onClick=${() => act.run(() => post(`/backups/${q(name)}/run`), reload)}>${t('prep.backup_run')}</button>
        <${ErrorNote} error=${act.error} />`;
}

const state = (prefix, code) => html`<span class=${'status st-' + code}>${t(prefix + code)}</span>`;
const every = (s) => (s === 86400 ? t('prep.sched.daily') : s % 86400 === 0 ? t('prep.days', { n: s / 86400 }) : s % 3600 === 0
    ? t('prep.hours', { n: s / 3600 }) : s + ' s');

export function Prep({ me }) {
    return html`<h1>${t('nav.prep')}</h1>
        ${me.can('backup.read') && html`<${Section} id="p-backups" title=${t('prep.backups')} path="/backups">${(d, reload) =>
            html`<${Table} cls="backups" rows=${d.items} cols=${[
                [t('prep.job'), (b) => html`<strong>${b.name}</strong><div class="muted">${t('prep.kind.' + (b.command ? 'command' : b.kind))}${b.asset ? ' · ' + b.asset : ''}</div>`],
                [t('prep.last'), (b) => (b.last ? html`${state('prep.run.', b.last.state)} <${Time} at=${b.last.finished_at || b.last.queued_at} />
                    ${b.last.state === 'good' && html`<div class="muted">${t('prep.verified', { files: b.last.files, size: fmtBytes(b.last.bytes) })}</div>`}`
                    : html`<span class="muted">${t('prep.never')}</span>`)],
                [t('prep.every'), (b) => (b.every_s ? every(b.every_s) : '—')],
                [t('prep.keep'), (b) => b.keep],
                [t('prep.sealed'), (b) => (b.sealed ? t('common.yes') : t('common.no'))],
                [t('prep.actions'), (b) => me.can('backup.manage') && html`<${RunBackup} name=${b.name} reload=${reload} />`],
            ]} />`}<//>`}
        ${me.can('drill.read') && html`<${Section} id="p-drills" title=${t('prep.drills')} path="/drills">${(d, reload) =>
            html`${me.can('drill.manage') && html`<${PlanDrill} reload=${reload} />`}<${Table} cls="drills" rows=${d.items} cols=${[
                [t('prep.ref'), (x) => x.ref], [t('prep.title'), (x) => x.title],
                [t('prep.form'), (x) => pick(x.form_zh, x.form) + ' · ' + pick(x.kind_zh, x.kind)],
                [t('prep.status'), (x) => state('prep.drill.', x.status)],
                [t('prep.planned'), (x) => html`<${Time} at=${x.planned_at} />`],
                [t('prep.actions'), (x) => html`<${DrillStep} d=${x} me=${me} reload=${reload} /> <${DrillReport} d=${x} me=${me} />`],
            ]} />`}<//>`}
        <${Section} id="p-hazards" title=${t('prep.hazards')} path="/hazards">${(d, reload) =>
            html`${me.can('hazard.report') && html`<${AddHazard} reload=${reload} />`}<${Table} cls="hazards" rows=${d.items} cols=${[
                [t('prep.ref'), (x) => x.ref], [t('prep.title'), (x) => html`${x.title}${x.asset && html`<div class="muted">${x.asset}</div>`}`],
                [t('prep.severity'), (x) => t('prep.sev.' + x.severity)],
                [t('prep.status'), (x) => html`${pick(x.status_zh, x.status)}${x.overdue && html` <span class="badge overdue">${t('due.overdue')}</span>`}`],
                [t('prep.department'), (x) => x.department], [t('prep.deadline'), (x) => html`<${Time} at=${x.deadline} />`],
                [t('prep.actions'), (x) => html`<${HazardStep} h=${x} me=${me} reload=${reload} />`],
            ]} />`}<//>
        <${Section} id="p-checks" title=${t('prep.checks')} path="/checklists">${(d, reload) =>
            html`${me.can('check.manage') && html`<${AddChecklist} reload=${reload} />`}<${Table} cls="checklists" rows=${d.items} cols=${[
                [t('prep.title'), (x) => x.name], [t('prep.schedule'), (x) => t('prep.sched.' + x.schedule)],
                [t('prep.items'), (x) => x.items],
                [t('prep.last'), (x) => (x.last_started ? html`<${Time} at=${x.last_started} /> ${x.last_result || ''}` : html`<span class="muted">${t('prep.never')}</span>`)],
                [t('prep.actions'), (x) => html`<${StartCheck} c=${x} me=${me} />`],
            ]} />`}<//>
        <${Section} id="p-risk" title=${t('prep.risk')} path="/risk-assessments">${(d, reload) =>
            html`${me.can('risk.assess') && html`<${AddRisk} reload=${reload} />`}<${Table} cls="risks" rows=${d.items} cols=${[
                [t('prep.asset'), (x) => x.asset], [t('prep.worst'), (x) => t('prep.risk.' + x.worst)],
                [t('prep.threats'), (x) => x.threats.map((th) => `${th.threat} (${th.likelihood}×${th.impact}=${th.score})`).join('；')],
                [t('prep.review'), (x) => html`<${Time} at=${x.next_review} />`],
            ]} />`}<//>
        <${Section} id="p-training" title=${t('prep.training')} path="/trainings">${(d, reload) =>
            html`${me.can('training.manage') && html`<${AddTraining} reload=${reload} />`}<${Table} cls="trainings" rows=${d.items} cols=${[
                [t('prep.title'), (x) => x.topic], [t('prep.kind'), (x) => t('prep.tkind.' + x.kind)],
                [t('prep.date'), (x) => html`<${Time} at=${x.held_at} />`], [t('prep.trainer'), (x) => x.trainer],
                [t('prep.attendees'), (x) => x.attendees],
                [t('pf.materials'), (x) => html`<${TrainingFiles} tr=${x} me=${me} />`],
                [t('pf.attend'), (x) => me.can('training.manage') && html`<${Attend} tr=${x} reload=${reload} />`],
            ]} />`}<//>
        <${Section} id="p-attendance" title=${t('prep.attendance')} path="/training-attendance">${(d) =>
            html`<${Table} rows=${d.departments} cols=${[
                [t('prep.department'), (x) => x.department], [t('prep.attended'), (x) => `${x.attended} / ${x.users}`],
                [t('prep.rate'), (x) => Math.round((x.rate || 0) * 100) + '%'],
            ]} />`}<//>
        <${Section} id="p-supplies" title=${t('prep.supplies')} path="/supplies">${(d, reload) =>
            html`${me.can('supply.manage') && html`<${AddSupply} reload=${reload} />`}<${Table} cls="supplies" rows=${d.items} cols=${[
                [t('prep.ref'), (x) => x.ref], [t('prep.title'), (x) => x.name], [t('prep.kind'), (x) => t('prep.skind.' + x.kind)],
                [t('prep.quantity'), (x) => `${x.quantity}${x.out ? ' (' + t('prep.out', { n: x.out }) + ')' : ''}`],
                [t('prep.location'), (x) => x.location], [t('prep.status'), (x) => t('prep.sstate.' + x.state)],
                [t('pf.dispatch'), (x) => html`<${Dispatch} s=${x} me=${me} />`],
            ]} />`}<//>
        <${Section} id="p-plan" title=${t('prep.plan')} path="/plan/versions">${(d, reload) =>
            html`${me.can('plan.revise') && html`<${RevisePlan} reload=${reload} />`}<${Table} cls="plan" rows=${d.items} cols=${[
                [t('prep.version'), (x) => x.version], [t('prep.title'), (x) => x.title],
                [t('prep.effective'), (x) => html`<${Time} at=${x.effective_at} />`], [t('prep.approved_by'), (x) => x.approved_by],
                [t('prep.incidents'), (x) => x.incidents],
                [t('pf.document'), (x) => html`<${Files} files=${x.files} />`],
            ]} />`}<//>`;
}
