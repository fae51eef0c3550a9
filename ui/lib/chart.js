// Time series with uPlot: a sparkline for the dashboard and a chart for one
// monitor. Data are columns: x in Unix seconds, then each series.
import { html, useRef, useEffect } from './html.js';
import uPlot from '../vendor/uplot.js';
import { t } from './i18n.js';
import { currentZone } from './format.js';

// The last 24 hours, whatever the data span; times read in the organisation's zone.
const day = () => { const now = Date.now() / 1000; return [now - 86400, now]; };
const tzDate = (ts) => uPlot.tzDate(new Date(ts * 1000), currentZone());

function usePlot(opts, data) {
    const box = useRef(null);
    useEffect(() => {
        if (!box.current || !data[0].length) return undefined;
        // as wide as its box (a phone's, or half of a wide screen) unless told
        const width = opts.width || Math.max(260, box.current.clientWidth);
        const plot = new uPlot({ ...opts, width }, data, box.current);
        return () => plot.destroy();
    }, [JSON.stringify(data), opts.width]);
    return box;
}

// A 24-hour latency line with no axes; its meaning also in its label.
export function Sparkline({ xs, ys, label, width, height }) {
    const opts = {
        width: width || 160, height: height || 36, legend: { show: false }, cursor: { show: false },
        tzDate, scales: { x: { time: true, range: day }, y: { auto: true } },
        axes: [{ show: false }, { show: false }],
        series: [{}, { stroke: '#1f4e8c', width: 1.5, fill: 'rgba(31, 78, 140, 0.12)', spanGaps: true,
            points: { show: xs.length < 4, size: 4 } }],
    };
    const box = usePlot(opts, [xs, ys]);
    if (!xs.length) return html`<span class="muted">${t('mon.no_data')}</span>`;
    return html`<div class="spark" ref=${box} role="img" aria-label=${label}></div>`;
}

// Response times of the checks, with the failed ones marked on the axis.
export function LatencyChart({ xs, ys, label }) {
    const opts = {
        height: 220,
        tzDate, scales: { x: { time: true, range: day } },
        series: [{ label: t('ev.when') }, { label: t('mon.total_ms'), stroke: '#1f4e8c', width: 1.5, spanGaps: false,
            points: { show: xs.length < 200 } }],
        axes: [{}, { label: 'ms' }],
    };
    const box = usePlot(opts, [xs, ys]);
    if (!xs.length) return html`<p class="muted">${t('mon.no_data')}</p>`;
    return html`<div class="chart" ref=${box} role="img" aria-label=${label}></div>`;
}
