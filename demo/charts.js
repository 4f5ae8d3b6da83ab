/** Small canvas charts: line curves that grow as points arrive, and a 10-class bar chart. */

const AXIS = '#6a6a76', TEXT = '#c8c8d0';
export const SERIES_COLORS = { train: '#58a6ff', val: '#f0a030' };
const SERIES_NAMES = { train: 'training', val: 'validation' };
const FONT = '11px system-ui, sans-serif';

/** Five tick values over [min, max] with as many decimals as it takes to tell them apart. */
function ticks(min, max) {
  const values = [0, 1, 2, 3, 4].map((i) => min + ((max - min) * i) / 4);
  const step = (max - min) / 4;
  const decimals = Math.min(8, Math.max(0, Math.ceil(-Math.log10(step)) + 1));
  return values.map((value) => ({ value, label: value.toFixed(decimals) }));
}

/**
 * A line chart of named series over x (examples seen, in epochs). `add(series, x, y)` appends
 * a point and redraws; `points(series)` counts them; `reset()` empties it; `layout()` tells
 * where things were drawn (the plot box, the legend boxes, each point and the tick labels),
 * so a test can check that the legend, drawn in the margin above the plot, covers no curve.
 * An empty chart draws its axes and "no points yet", with no ticks (there is no scale yet).
 */
export function lineChart(canvas, { yMin = 0, yMax: fixedMax, label = '' } = {}) {
  const context = canvas.getContext('2d');
  const series = new Map();
  let drawn = null;
  const draw = () => {
    const { width, height } = canvas;
    // The legend has the top margin to itself: nothing is plotted above pad.top.
    const pad = { left: 46, right: 10, top: 24, bottom: 24 };
    context.clearRect(0, 0, width, height);
    const all = [...series.values()].flat();
    const xMax = Math.max(1, ...all.map((p) => p[0]));
    const yMax = fixedMax ?? Math.max(yMin + 1e-6, ...all.map((p) => p[1])) * 1.05;
    const px = (x) => pad.left + (x / xMax) * (width - pad.left - pad.right);
    const py = (y) => height - pad.bottom - ((y - yMin) / (yMax - yMin)) * (height - pad.top - pad.bottom);
    const plot = { left: pad.left, top: pad.top, right: width - pad.right, bottom: height - pad.bottom };
    context.strokeStyle = AXIS;
    context.fillStyle = TEXT;
    context.font = FONT;
    context.lineWidth = 1;
    context.beginPath();
    context.moveTo(plot.left, plot.top);
    context.lineTo(plot.left, plot.bottom);
    context.lineTo(plot.right, plot.bottom);
    context.stroke();
    const tickLabels = [];
    if (all.length === 0) {
      context.fillText('no points yet: press Train', plot.left + 10, (plot.top + plot.bottom) / 2);
      context.fillText(`${label} · epochs`, plot.left + 6, height - 6);
    } else {
      for (const { value, label: text } of ticks(yMin, yMax)) {
        context.fillText(text, 4, py(value) + 4);
        tickLabels.push(text);
      }
      context.fillText(`${label} · epochs (0–${xMax.toFixed(xMax < 3 ? 1 : 0)})`, plot.left + 6, height - 6);
    }
    const legend = [];
    const plotted = [];
    let legendRight = plot.right;
    // Right-aligned in the top margin, in the order the series arrived.
    const entries = [...series.keys()].map((name) => ({ name, text: SERIES_NAMES[name] ?? name }));
    for (const entry of entries.reverse()) {
      const textWidth = context.measureText(entry.text).width;
      const box = { name: entry.name, x: legendRight - textWidth - 14, y: 6, width: textWidth + 14, height: 12 };
      context.fillStyle = SERIES_COLORS[entry.name] ?? TEXT;
      context.fillRect(box.x, box.y + 4, 10, 4);
      context.fillText(entry.text, box.x + 14, box.y + 10);
      legend.push(box);
      legendRight = box.x - 12;
    }
    for (const [name, points] of series) {
      context.strokeStyle = SERIES_COLORS[name] ?? TEXT;
      context.lineWidth = 2;
      context.beginPath();
      points.forEach(([x, y], i) => (i ? context.lineTo(px(x), py(y)) : context.moveTo(px(x), py(y))));
      if (points.length === 1) context.arc(px(points[0][0]), py(points[0][1]), 2, 0, 2 * Math.PI);
      context.stroke();
      for (const [x, y] of points) plotted.push({ name, x: px(x), y: py(y) });
    }
    context.lineWidth = 1;
    drawn = { width, height, plot, legend, points: plotted, ticks: tickLabels, lineWidth: 2 };
  };
  draw();
  return {
    add(name, x, y) {
      if (!Number.isFinite(y)) return;
      if (!series.has(name)) series.set(name, []);
      series.get(name).push([x, y]);
      draw();
    },
    points: (name) => series.get(name)?.length ?? 0,
    reset() { series.clear(); draw(); },
    layout: () => structuredClone(drawn),
  };
}

/** Ten bars of probabilities (0..1) labelled 0..9, the highest in the highlight colour. */
export function drawBars(canvas, probabilities) {
  const context = canvas.getContext('2d');
  const { width, height } = canvas;
  context.clearRect(0, 0, width, height);
  const best = probabilities ? probabilities.indexOf(Math.max(...probabilities)) : -1;
  const slot = width / 10, base = height - 18;
  context.font = '12px system-ui, sans-serif';
  context.textAlign = 'center';
  for (let digit = 0; digit < 10; digit++) {
    const p = probabilities ? probabilities[digit] : 0;
    const barHeight = Math.max(1, p * (base - 4));
    context.fillStyle = digit === best ? '#3cc864' : '#58a6ff';
    context.fillRect(digit * slot + 4, base - barHeight, slot - 8, barHeight);
    context.fillStyle = TEXT;
    context.fillText(String(digit), digit * slot + slot / 2, height - 4);
  }
  context.textAlign = 'start';
}
