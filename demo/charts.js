/** Small canvas charts: line curves that grow as points arrive, and a 10-class bar chart. */

const AXIS = '#6a6a76', TEXT = '#c8c8d0';
export const SERIES_COLORS = { train: '#58a6ff', val: '#f0a030' };

/**
 * A line chart of named series over x (examples seen, in epochs). `add(series, x, y)` appends
 * a point and redraws; `points(series)` counts them; `reset()` empties it.
 */
export function lineChart(canvas, { yMin = 0, yMax: fixedMax, label = '' } = {}) {
  const context = canvas.getContext('2d');
  const series = new Map();
  const draw = () => {
    const { width, height } = canvas;
    const pad = { left: 42, right: 10, top: 10, bottom: 24 };
    context.clearRect(0, 0, width, height);
    const all = [...series.values()].flat();
    const xMax = Math.max(1, ...all.map((p) => p[0]));
    const yMax = fixedMax ?? Math.max(yMin + 1e-6, ...all.map((p) => p[1])) * 1.05;
    const px = (x) => pad.left + (x / xMax) * (width - pad.left - pad.right);
    const py = (y) => height - pad.bottom - ((y - yMin) / (yMax - yMin)) * (height - pad.top - pad.bottom);
    context.strokeStyle = AXIS;
    context.fillStyle = TEXT;
    context.font = '11px system-ui, sans-serif';
    context.beginPath();
    context.moveTo(pad.left, pad.top);
    context.lineTo(pad.left, height - pad.bottom);
    context.lineTo(width - pad.right, height - pad.bottom);
    context.stroke();
    for (let i = 0; i <= 4; i++) {
      const y = yMin + ((yMax - yMin) * i) / 4;
      context.fillText(y.toFixed(2), 4, py(y) + 4);
    }
    context.fillText(`${label} · epochs (0–${xMax.toFixed(xMax < 3 ? 1 : 0)})`, pad.left + 6, height - 6);
    let legendX = width - pad.right - 120;
    for (const [name, points] of series) {
      context.strokeStyle = SERIES_COLORS[name] ?? TEXT;
      context.lineWidth = 2;
      context.beginPath();
      points.forEach(([x, y], i) => (i ? context.lineTo(px(x), py(y)) : context.moveTo(px(x), py(y))));
      if (points.length === 1) context.arc(px(points[0][0]), py(points[0][1]), 2, 0, 2 * Math.PI);
      context.stroke();
      context.lineWidth = 1;
      context.fillStyle = SERIES_COLORS[name] ?? TEXT;
      context.fillText(name === 'val' ? 'validation' : 'training', legendX, pad.top + 10);
      legendX += 60;
    }
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
