/**
 * The training dashboard page: reads the Server-Sent Events of a `Dashboard` callback (start,
 * batches, epoch, end) and draws the curves on canvases (a small hand-written line chart: axes,
 * ticks, legend), the epoch table, the model summary, and at the end the confusion matrix,
 * per-class accuracy, misclassified images and the first layer's filters.
 */
/* global document, EventSource, fetch, location, requestAnimationFrame, TextDecoder, URLSearchParams */

const $ = (id) => document.getElementById(id);
// With `new Dashboard({ token })` the run's data needs the token, given in the address: /#token=…
const token = new URLSearchParams(location.hash.slice(1)).get('token');
const authHeaders = token ? { authorization: `Bearer ${token}` } : {};
const COLOURS = { loss: '#3d7be0', val_loss: '#e0873d', accuracy: '#3d7be0', val_accuracy: '#e0873d', epoch: '#1d2330' };
let state;

function reset(start) {
  state = { start, steps: start.params?.steps ?? 1, batches: [], epochs: [] };
  $('summary').textContent = start.summary || '(no summary)';
  $('epochs').replaceChildren();
  $('confusion').replaceChildren();
  $('per-class').replaceChildren();
  $('gallery').replaceChildren();
  $('filters').replaceChildren();
  document.body.dataset.batches = '0';
  document.body.dataset.updates = '0';
  document.body.dataset.state = 'running';
  $('run-state').textContent =
    `training ${start.model ?? ''}: ${start.params.epochs} epochs × ${start.params.steps} steps, batch ${start.params.batchSize}`;
}

let drawPending = false;
function redraw() {
  if (drawPending) return;
  drawPending = true;
  requestAnimationFrame(() => {
    drawPending = false;
    const b = state.batches;
    const at = (key) => b.filter((p) => p.logs[key] !== undefined).map((p) => [p.step, p.logs[key]]);
    const epochAt = (key) => state.epochs.filter((e) => e.logs[key] !== undefined).map((e) => [(e.epoch + 1) * state.steps, e.logs[key]]);
    chart($('chart-loss'), [
      { name: 'loss (batch)', colour: COLOURS.loss, points: at('loss'), thin: true },
      { name: 'loss (epoch)', colour: COLOURS.epoch, points: epochAt('loss'), dots: true },
      { name: 'val_loss', colour: COLOURS.val_loss, points: epochAt('val_loss'), dots: true },
    ]);
    chart($('chart-accuracy'), [
      { name: 'accuracy (batch)', colour: COLOURS.accuracy, points: at('accuracy'), thin: true },
      { name: 'accuracy (epoch)', colour: COLOURS.epoch, points: epochAt('accuracy'), dots: true },
      { name: 'val_accuracy', colour: COLOURS.val_accuracy, points: epochAt('val_accuracy'), dots: true },
    ]);
    chart($('chart-lr'), [
      { name: 'learning rate', colour: '#8e44ad', points: b.filter((p) => p.learningRate !== null).map((p) => [p.step, p.learningRate]) },
    ]);
    chart($('chart-speed'), [{ name: 'samples/s', colour: '#1f9d55', points: b.map((p) => [p.step, p.samplesPerSecond]) }]);
  });
}

/** A line chart: `series` of [x, y] points, shared axes with round ticks, legend at the top. */
function chart(canvas, series) {
  const ctx = canvas.getContext('2d');
  const { width, height } = canvas;
  const pad = { left: 58, right: 12, top: 26, bottom: 28 };
  ctx.clearRect(0, 0, width, height);
  ctx.font = '12px system-ui, sans-serif';
  const all = series.flatMap((s) => s.points).filter(([, y]) => Number.isFinite(y));
  if (all.length === 0) {
    ctx.fillStyle = '#5a6272';
    ctx.fillText('no data yet', width / 2 - 30, height / 2);
    return;
  }
  let [x0, x1] = [Math.min(...all.map((p) => p[0])), Math.max(...all.map((p) => p[0]))];
  let [y0, y1] = [Math.min(...all.map((p) => p[1])), Math.max(...all.map((p) => p[1]))];
  if (x1 === x0) x1 = x0 + 1;
  if (y1 - y0 <= Math.abs(y1) * 1e-6) [y0, y1] = [y0 - Math.abs(y0) * 0.5 - 1e-9, y1 + Math.abs(y1) * 0.5 + 1e-9];
  const sx = (x) => pad.left + ((x - x0) / (x1 - x0)) * (width - pad.left - pad.right);
  const sy = (y) => height - pad.bottom - ((y - y0) / (y1 - y0)) * (height - pad.top - pad.bottom);
  ctx.strokeStyle = '#c9ced8';
  ctx.fillStyle = '#5a6272';
  ctx.lineWidth = 1;
  for (const t of ticks(y0, y1, 5)) {
    ctx.beginPath();
    ctx.moveTo(pad.left, sy(t));
    ctx.lineTo(width - pad.right, sy(t));
    ctx.stroke();
    ctx.fillText(formatTick(t), 4, sy(t) + 4);
  }
  for (const t of ticks(x0, x1, 6)) ctx.fillText(formatTick(t), sx(t) - 8, height - 8);
  let legendX = pad.left;
  for (const s of series) {
    ctx.strokeStyle = s.colour;
    ctx.fillStyle = s.colour;
    ctx.lineWidth = s.thin ? 1 : 2;
    ctx.beginPath();
    s.points.forEach(([x, y], i) => (i === 0 ? ctx.moveTo(sx(x), sy(y)) : ctx.lineTo(sx(x), sy(y))));
    ctx.stroke();
    if (s.dots) for (const [x, y] of s.points) ctx.fillRect(sx(x) - 3, sy(y) - 3, 6, 6);
    ctx.fillRect(legendX, 8, 12, 4);
    ctx.fillStyle = '#1d2330';
    ctx.fillText(s.name, legendX + 16, 14);
    legendX += ctx.measureText(s.name).width + 32;
  }
}

function ticks(lo, hi, count) {
  const step = 10 ** Math.floor(Math.log10((hi - lo) / count));
  const nice = [1, 2, 5, 10].map((m) => m * step).find((s) => (hi - lo) / s <= count) ?? step * 10;
  const out = [];
  for (let t = Math.ceil(lo / nice) * nice; t <= hi + nice * 1e-9; t += nice) out.push(t);
  return out;
}
/** Tick text: plain for ordinary values, 1.5e-4 for small ones (enough digits to tell ticks apart). */
const formatTick = (t) =>
  t === 0
    ? '0'
    : Math.abs(t) >= 1000
      ? t.toFixed(0)
      : Math.abs(t) < 0.01
        ? t.toExponential(2).replace(/\.?0+e/, 'e')
        : String(+t.toPrecision(3));

function onBatches(list) {
  state.batches.push(...list);
  // For tests and curious readers: when the updates arrived (this page's clock, ms).
  state.firstUpdate ??= performance.now();
  document.body.dataset.updates = String(Number(document.body.dataset.updates ?? 0) + 1);
  const last = list[list.length - 1];
  const p = state.start.params;
  $('progress').textContent =
    `epoch ${last.epoch + 1}/${p.epochs}, step ${last.batch + 1}/${p.steps} · loss ${last.logs.loss.toFixed(4)} · ${last.samplesPerSecond.toFixed(0)} samples/s · ETA ${last.eta.toFixed(0)} s`;
  document.body.dataset.batches = String(state.batches.length);
  redraw();
}

function onEpoch(e) {
  state.epochs.push(e);
  const keys = Object.keys(e.logs);
  const table = $('epochs');
  if (!table.firstChild) {
    const head = table.insertRow();
    for (const k of ['epoch', ...keys, 'learning rate', 'seconds'])
      head.appendChild(Object.assign(document.createElement('th'), { textContent: k }));
  }
  const row = table.insertRow();
  for (const v of [e.epoch + 1, ...keys.map((k) => e.logs[k].toFixed(4)), e.learningRate?.toPrecision(3) ?? '', e.seconds.toFixed(1)])
    row.insertCell().textContent = String(v);
  redraw();
}

/** Paints `values` (0..255, [h, w, c]) on a new canvas. */
function pixelsCanvas(values, [h, w, c]) {
  const canvas = Object.assign(document.createElement('canvas'), { width: w, height: h });
  const ctx = canvas.getContext('2d');
  const img = ctx.createImageData(w, h);
  for (let i = 0; i < w * h; i++) {
    for (let k = 0; k < 3; k++) img.data[i * 4 + k] = values[i * c + (c === 1 ? 0 : k)];
    img.data[i * 4 + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
  return canvas;
}

function onEnd(end) {
  document.body.dataset.state = 'done';
  document.body.dataset.firstUpdateBeforeEndMs = String(performance.now() - (state.firstUpdate ?? performance.now()));
  $('run-state').textContent = `done in ${end.seconds.toFixed(1)} s`;
  const ev = end.evaluation;
  if (ev) {
    state.imageShape = ev.imageShape;
    $('evaluation-note').textContent = `Test accuracy ${ev.accuracy.toFixed(4)} on ${ev.samples} samples.`;
    const table = $('confusion');
    const k = ev.matrix.length;
    const head = table.insertRow();
    head.appendChild(document.createElement('th'));
    for (let j = 0; j < k; j++) head.appendChild(Object.assign(document.createElement('th'), { textContent: String(j) }));
    const peak = Math.max(...ev.matrix.flat());
    ev.matrix.forEach((r, i) => {
      const row = table.insertRow();
      row.appendChild(Object.assign(document.createElement('th'), { textContent: String(i) }));
      r.forEach((n, j) => {
        const cell = row.insertCell();
        cell.textContent = String(n);
        const a = Math.sqrt(n / peak);
        cell.style.background = i === j ? `rgba(31,157,85,${a})` : `rgba(192,57,43,${a})`;
        cell.style.color = a > 0.6 ? '#fff' : '#1d2330';
      });
    });
    $('per-class').replaceChildren(
      ...ev.perClass.map((p, i) => {
        const bar = document.createElement('div');
        bar.className = 'bar';
        bar.innerHTML = `<span>${i}</span><span class="track"><span class="fill" style="width:${(100 * p).toFixed(1)}%"></span></span><span class="value">${p.toFixed(3)}</span>`;
        return bar;
      }),
    );
    $('gallery').replaceChildren(
      ...ev.misclassified.map((m) => {
        const fig = document.createElement('figure');
        fig.append(pixelsCanvas(m.pixels, ev.imageShape), `#${m.index}: ${m.label} → ${m.predicted}`);
        return fig;
      }),
    );
  }
  if (end.filters) {
    const [kh, kw, cin, cout] = end.filters.shape;
    const v = end.filters.values;
    const canvases = [];
    for (let o = 0; o < cout; o++) {
      for (let c = 0; c < cin; c++) {
        const kernel = [];
        for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) kernel.push(v[((y * kw + x) * cin + c) * cout + o]);
        const lo = Math.min(...kernel);
        const hi = Math.max(...kernel);
        canvases.push(
          pixelsCanvas(
            kernel.map((x) => Math.round((255 * (x - lo)) / (hi - lo || 1))),
            [kh, kw, 1],
          ),
        );
      }
    }
    $('filters').replaceChildren(...canvases);
  }
}

for (const button of document.querySelectorAll('nav button')) {
  button.addEventListener('click', () => {
    for (const b of document.querySelectorAll('nav button')) b.classList.toggle('active', b === button);
    for (const tab of document.querySelectorAll('.tab')) tab.hidden = tab.id !== `tab-${button.dataset.tab}`;
  });
}

/** Fetches and draws the first layer's feature maps for the chosen test image (each map scaled to its own range). */
async function showFeatureMaps() {
  const status = $('feature-status');
  status.textContent = 'computing…';
  const res = await fetch(`/feature-maps?index=${encodeURIComponent($('feature-index').value)}`, { headers: authHeaders });
  const body = await res.json();
  if (!res.ok) {
    status.textContent = `Error: ${body.error}`;
    return;
  }
  const [h, w, channels] = body.shape;
  const canvases = [];
  for (let c = 0; c < channels; c++) {
    const map = Array.from({ length: h * w }, (_, i) => body.values[i * channels + c]);
    const lo = Math.min(...map);
    const hi = Math.max(...map);
    canvases.push(
      pixelsCanvas(
        map.map((v) => Math.round((255 * (v - lo)) / (hi - lo || 1))),
        [h, w, 1],
      ),
    );
  }
  const [ih, iw] = state?.imageShape ?? [Math.sqrt(body.image.length), Math.sqrt(body.image.length)];
  const input = pixelsCanvas(body.image, [ih, iw, body.image.length / (ih * iw)]);
  input.className = 'input';
  $('feature-maps').replaceChildren(input, ...canvases);
  status.textContent = `test image ${body.index}, layer ${body.layer}: ${channels} maps of ${h}×${w}`;
}
$('feature-show').addEventListener('click', () => void showFeatureMaps());

const handlers = { start: reset, batches: onBatches, epoch: onEpoch, end: onEnd };

/**
 * The event stream read with fetch, which (unlike EventSource) can send the Authorization
 * header: `event: T\ndata: JSON\n\n` blocks, as the server writes them.
 */
async function readEventsWithToken() {
  const res = await fetch('/events', { headers: authHeaders });
  if (!res.ok) {
    $('run-state').textContent = `Error: ${(await res.json()).error}`;
    return;
  }
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    text += decoder.decode(value, { stream: true });
    let end;
    while ((end = text.indexOf('\n\n')) >= 0) {
      const block = text.slice(0, end);
      text = text.slice(end + 2);
      const type = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (type && data !== undefined) handlers[type]?.(JSON.parse(data));
    }
  }
}

if (token) void readEventsWithToken();
else {
  const events = new EventSource('/events');
  for (const [type, handle] of Object.entries(handlers)) events.addEventListener(type, (e) => handle(JSON.parse(e.data)));
}
document.body.dataset.ready = 'true';
