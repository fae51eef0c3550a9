// The only way the interface talks to tocsin: the JSON API under /api/v1/,
// with the session cookie and, on every change, the session's CSRF token.
let csrf = null;
let unauthorized = () => {};

export class ApiError extends Error {
    constructor(status, code, message, field) {
        super(message || code || String(status));
        this.status = status;
        this.code = code;
        this.field = field;
    }
}

export function setCsrf(token) {
    csrf = token || null;
}

export function onUnauthorized(fn) {
    unauthorized = fn;
}

async function answer(res) {
    const type = res.headers.get('Content-Type') || '';
    const body = type.startsWith('application/json') ? await res.json() : null;
    if (res.ok) return body;
    const err = (body && body.error) || {};
    if (res.status === 401) unauthorized();
    throw new ApiError(res.status, err.code, err.message, err.field);
}

export async function api(method, path, body) {
    const headers = { Accept: 'application/json' };
    if (method !== 'GET') {
        if (csrf) headers['X-CSRF-Token'] = csrf;
        headers['Content-Type'] = 'application/json';
    }
    const res = await fetch('/api/v1' + path, {
        method,
        headers,
        credentials: 'same-origin',
        body: body === undefined || method === 'GET' ? undefined : JSON.stringify(body),
    });
    return answer(res);
}

// A file as the raw body of a POST (evidence uploads), streamed by the browser.
export async function upload(path, file) {
    const res = await fetch('/api/v1' + path, {
        method: 'POST',
        headers: { 'X-CSRF-Token': csrf || '', 'Content-Type': 'application/octet-stream' },
        credentials: 'same-origin',
        body: file,
    });
    return answer(res);
}

export const get = (path) => api('GET', path);
export const post = (path, body) => api('POST', path, body === undefined ? {} : body);
export const put = (path, body) => api('PUT', path, body);
export const q = encodeURIComponent;
