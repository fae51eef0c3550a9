// Every string the interface shows comes from one dictionary per language:
// Chinese (the default) and English. t(KEY, {name}) fills {name}.
import zh from '../i18n/zh.js';
import en from '../i18n/en.js';

export const dictionaries = { zh, en };
const KEY = 'tocsin.lang';
let lang = 'zh';
try {
    if (localStorage.getItem(KEY) === 'en') lang = 'en';
} catch (e) {
    // storage refused (a private window): Chinese it is
}
const listeners = new Set();

export function t(key, vars) {
    let s = dictionaries[lang][key];
    if (s === undefined) s = key; // a missing key shows itself, and the dictionary test fails
    if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (vars[k] !== undefined ? String(vars[k]) : m));
    return s;
}

export function currentLang() {
    return lang;
}

export function setLang(l) {
    lang = l === 'en' ? 'en' : 'zh';
    try {
        localStorage.setItem(KEY, lang);
    } catch (e) {
        // not remembered; still switched
    }
    document.documentElement.lang = lang === 'en' ? 'en' : 'zh-CN';
    listeners.forEach((fn) => fn(lang));
}

export function onLang(fn) {
    listeners.add(fn);
    return () => listeners.delete(fn);
}

// A bilingual text from the API ({zh, en} pairs such as level reasons).
export function pick(zhText, enText) {
    return lang === 'en' && enText ? enText : zhText;
}
