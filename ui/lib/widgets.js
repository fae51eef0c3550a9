// Small pieces every page uses: loading with polling, actions with their
// errors shown, labelled fields, badges whose colour is also said in words.
import { html, useState, useEffect, useRef, useCallback } from './html.js';
import { t, pick } from './i18n.js';
import { fmtTime } from './format.js';

// Sent on window when a warning was published or lifted, so the banner
// follows at once.
export const WARNINGS_CHANGED = 'tocsin-warnings-changed';

// Loads data with load(); again every pollMs while the page is visible.
export function useLoad(load, deps, pollMs) {
    const [state, setState] = useState({ data: null, error: null, loading: true });
    const gen = useRef(0);
    const reload = useCallback(() => {
        const mine = ++gen.current;
        return load().then(
            (data) => { if (mine === gen.current) setState({ data, error: null, loading: false }); },
            (error) => { if (mine === gen.current) setState((s) => ({ data: s.data, error, loading: false })); },
        );
    }, deps);
    useEffect(() => {
        reload();
        if (!pollMs) return () => { gen.current++; };
        const id = setInterval(() => { if (!document.hidden) reload(); }, pollMs);
        return () => { gen.current++; clearInterval(id); };
    }, [reload]);
    return { ...state, reload };
}

// Runs an action, keeping its error for display; then() after success.
export function useAction() {
    const [busy, setBusy] = useState(false);
    const [error, setError] = useState(null);
    const run = useCallback(async (fn, then) => {
        setBusy(true);
        setError(null);
        try {
            const out = await fn();
            if (then) await then(out);
            return out;
        } catch (e) {
            setError(e);
            return undefined;
        } finally {
            setBusy(false);
        }
    }, []);
    return { run, busy, error, setError };
}

export function ErrorNote({ error }) {
    if (!error) return null;
    const where = error.field ? t('error.field', { field: error.field }) + ' ' : '';
    return html`<p class="error" role="alert">${where}${error.message || String(error)}</p>`;
}

export function Loading({ state }) {
    if (state.error && !state.data) return html`<${ErrorNote} error=${state.error} />`;
    if (state.loading && !state.data) return html`<p class="muted" aria-live="polite">${t('common.loading')}</p>`;
    return null;
}

export function Field({ label, hint, children, wide }) {
    return html`<label class=${'field' + (wide ? ' wide' : '')}>
        <span class="label">${label}</span>${children}
        ${hint && html`<span class="hint">${hint}</span>`}
    </label>`;
}

// A controlled text input bound to one key of a form object.
export function bind(form, setForm, key) {
    return {
        value: form[key] ?? '',
        onInput: (e) => setForm({ ...form, [key]: e.currentTarget.value }),
    };
}

const COLOURS = ['red', 'orange', 'yellow', 'blue'];

export function ColourBadge({ colour }) {
    if (!COLOURS.includes(colour)) return null;
    return html`<span class=${'badge colour-' + colour}>${t('colour.' + colour)}</span>`;
}

export function LevelBadge({ level }) {
    if (!level) return html`<span class="badge level-none">${t('level.none')}</span>`;
    return html`<span class=${'badge level-' + level}>${t('level.' + level)}</span>`;
}

export function StatusBadge({ status, kind }) {
    return html`<span class=${'status status-' + status}>${t((kind || 'status') + '.' + status)}</span>`;
}

export function Time({ at }) {
    if (!at) return html`<span class="muted">—</span>`;
    return html`<time datetime=${at}>${fmtTime(at)}</time>`;
}

export function Reasons({ reasons }) {
    if (!reasons || !reasons.length) return null;
    return html`<ul class="reasons">${reasons.map((r) => html`<li>
        <${LevelBadge} level=${r.level} /> ${pick(r.zh, r.en)}</li>`)}</ul>`;
}

// The plan's seven categories (S-2), in the dictionary's words.
export const CATEGORIES = ['harmful-program', 'network-attack', 'information-destruction',
    'content-security', 'equipment-failure', 'disaster', 'other'];

export function categoryName(code) {
    if (!code) return '';
    const [cat] = code.split('/');
    return t('category.' + cat);
}

// A category with its sub-category: the plan's Chinese words, or in English
// the category's name and the sub-category's code.
export function categoryFull(zhText, code, sub) {
    const [cat, own] = (code || '').split('/');
    const rest = sub || own;
    return pick(zhText, t('category.' + cat) + (rest ? ' / ' + rest : ''));
}

export function Empty({ text }) {
    return html`<p class="empty">${text || t('common.none')}</p>`;
}
