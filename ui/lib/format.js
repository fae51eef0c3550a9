// Times are shown in the organisation's time zone (from the session), whatever
// the browser's own; the API speaks UTC.
import { currentLang } from './i18n.js';

let zone = 'Asia/Shanghai';
const cache = new Map();

export function currentZone() {
    return zone;
}

export function setZone(tz) {
    if (tz) zone = tz;
    cache.clear();
}

function formatter(kind) {
    const key = currentLang() + kind;
    let f = cache.get(key);
    if (!f) {
        const opts = { timeZone: zone, hour12: false, year: 'numeric', month: '2-digit', day: '2-digit' };
        if (kind !== 'date') Object.assign(opts, { hour: '2-digit', minute: '2-digit' });
        f = new Intl.DateTimeFormat(currentLang() === 'en' ? 'en-GB' : 'zh-CN', opts);
        cache.set(key, f);
    }
    return f;
}

export function fmtTime(iso) {
    if (!iso) return '';
    const d = new Date(iso);
    return isNaN(d) ? String(iso) : formatter('time').format(d);
}


// The zone's offset from UTC at instant ms, in ms.
function offsetAt(ms) {
    const parts = {};
    new Intl.DateTimeFormat('en-US', {
        timeZone: zone, hour12: false, year: 'numeric', month: 'numeric', day: 'numeric',
        hour: 'numeric', minute: 'numeric', second: 'numeric',
    }).formatToParts(new Date(ms)).forEach((p) => { parts[p.type] = p.value; });
    const asUtc = Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour % 24,
        +parts.minute, +parts.second);
    return asUtc - Math.floor(ms / 1000) * 1000;
}

// "2026-11-27T18:30" typed in a datetime-local field, read in the
// organisation's zone, as UTC ISO text; '' for an empty or malformed value.
export function zonedToUtc(local) {
    const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(local || '');
    if (!m) return '';
    const guess = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]);
    let ms = guess - offsetAt(guess);
    ms = guess - offsetAt(ms); // across a change of offset
    return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

// The present (or ms) as a datetime-local value in the organisation's zone.
export function utcToZoned(ms) {
    const t = (ms === undefined ? Date.now() : ms);
    return new Date(t + offsetAt(t)).toISOString().slice(0, 16);
}

export function fmtBytes(n) {
    if (n < 1024) return n + ' B';
    if (n < 1024 * 1024) return (n / 1024).toFixed(1) + ' KiB';
    return (n / 1024 / 1024).toFixed(1) + ' MiB';
}
