// Line comparison of two kept versions of a page, for a side-by-side view.
// Bounded: the lines both versions share at the start and the end are taken
// off first (a tampered portal page usually differs in one region); what is
// left is compared line by line (longest common subsequence) while it is at
// most LCS_CELLS cells, and beyond that shown as one replaced block.

const LCS_CELLS = 4_000_000;
const LONG_LINE = 240;

// The page's source as lines; minified pages (one line of many tags) are
// broken between tags so that a change shows as a line, not the whole page.
export function pageLines(text) {
    const out = [];
    for (const line of text.replace(/\r\n?/g, '\n').split('\n')) {
        if (line.length <= LONG_LINE) {
            out.push(line);
            continue;
        }
        for (const part of line.split(/(?<=>)(?=<)/)) out.push(part);
    }
    return out;
}

// Rows of [kind, leftLine, rightLine, leftNo, rightNo]; kind is 'same',
// 'del' (left only), 'ins' (right only) or 'mod' (a line replaced).
export function diffLines(a, b) {
    let start = 0;
    while (start < a.length && start < b.length && a[start] === b[start]) start++;
    let endA = a.length, endB = b.length;
    while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
        endA--;
        endB--;
    }
    const rows = [];
    for (let i = 0; i < start; i++) rows.push(['same', a[i], b[i], i + 1, i + 1]);
    const midA = a.slice(start, endA), midB = b.slice(start, endB);
    const ops = midA.length * midB.length <= LCS_CELLS ? lcsOps(midA, midB) : replaceOps(midA, midB);
    let i = start, j = start;
    // a run of deletions followed by insertions is shown as lines replaced
    for (let k = 0; k < ops.length;) {
        if (ops[k] === '=') {
            rows.push(['same', a[i], b[j], ++i, ++j]);
            k++;
            continue;
        }
        let dels = 0, ins = 0;
        while (k + dels < ops.length && ops[k + dels] === '-') dels++;
        while (k + dels + ins < ops.length && ops[k + dels + ins] === '+') ins++;
        for (let n = 0; n < Math.max(dels, ins); n++) {
            const l = n < dels ? a[i + n] : null, r = n < ins ? b[j + n] : null;
            rows.push([l !== null && r !== null ? 'mod' : l !== null ? 'del' : 'ins', l, r,
                l !== null ? i + n + 1 : null, r !== null ? j + n + 1 : null]);
        }
        i += dels;
        j += ins;
        k += dels + ins;
    }
    for (; i < a.length; i++, j++) rows.push(['same', a[i], b[j], i + 1, j + 1]);
    return rows;
}

function replaceOps(a, b) {
    return [...Array(a.length).fill('-'), ...Array(b.length).fill('+')];
}

// Edit operations ('=', '-', '+') from the longest common subsequence.
function lcsOps(a, b) {
    const n = a.length, m = b.length, w = m + 1;
    const len = new Uint32Array((n + 1) * w);
    for (let i = n - 1; i >= 0; i--) {
        for (let j = m - 1; j >= 0; j--) {
            len[i * w + j] = a[i] === b[j] ? len[(i + 1) * w + j + 1] + 1
                : Math.max(len[(i + 1) * w + j], len[i * w + j + 1]);
        }
    }
    const ops = [];
    let i = 0, j = 0;
    while (i < n && j < m) {
        if (a[i] === b[j]) {
            ops.push('=');
            i++;
            j++;
        } else if (len[(i + 1) * w + j] >= len[i * w + j + 1]) {
            ops.push('-');
            i++;
        } else {
            ops.push('+');
            j++;
        }
    }
    while (i++ < n) ops.push('-');
    while (j++ < m) ops.push('+');
    return ops;
}

// The rows worth showing: every change with `context` unchanged lines around
// it; the unchanged stretches between become one ['gap', count] row.
export function hunks(rows, context = 3) {
    const keep = new Uint8Array(rows.length);
    rows.forEach((r, k) => {
        if (r[0] === 'same') return;
        for (let d = Math.max(0, k - context); d <= Math.min(rows.length - 1, k + context); d++) keep[d] = 1;
    });
    const out = [];
    let skipped = 0;
    rows.forEach((r, k) => {
        if (keep[k]) {
            if (skipped) out.push(['gap', skipped]);
            skipped = 0;
            out.push(r);
        } else {
            skipped++;
        }
    });
    if (skipped) out.push(['gap', skipped]);
    return out;
}
