/**
 * The draw-a-digit page: a drawing pad (pointer events: mouse, pen and touch), the 28×28 input
 * made the MNIST way, the server's class probabilities (TF Serving's :predict) as a bar chart,
 * an image chooser for RGB models, and a toggle that runs the same model in this browser with
 * the browser-safe core (`/core/core.js`, plain ES modules, ts backend) from the server's
 * config and weights, and shows whether both answers agree.
 */
/* global document, location, fetch, createImageBitmap, atob, URLSearchParams */
import { mnistInput } from './mnist-input.js';

const $ = (id) => document.getElementById(id);
const token = new URLSearchParams(location.hash.slice(1)).get('token');
const authHeaders = token ? { authorization: `Bearer ${token}` } : {};
const pad = $('pad');
const padContext = pad.getContext('2d', { willReadFrequently: true });
const seen = $('seen');
let models = [];
let current = null;
let lastInput = null;
let sequence = 0;
let rounds = 0;
const browserModels = new Map();

async function api(path, init = {}) {
  const res = await fetch(path, { ...init, headers: { ...authHeaders, ...(init.headers ?? {}) } });
  const body = await res.json();
  if (!res.ok) throw new Error(body.error ?? `HTTP ${res.status}`);
  return body;
}

function setStatus(text) {
  $('status').textContent = text;
}

/** Nests flat `values` into `shape` (the JSON form of one instance). */
function nest(values, shape) {
  if (shape.length === 1) return Array.from(values);
  const stride = values.length / shape[0];
  return Array.from({ length: shape[0] }, (_, i) => nest(values.subarray(i * stride, (i + 1) * stride), shape.slice(1)));
}

function clearPad() {
  padContext.fillStyle = '#000';
  padContext.fillRect(0, 0, pad.width, pad.height);
  const seenContext = seen.getContext('2d');
  seenContext.fillStyle = '#000';
  seenContext.fillRect(0, 0, seen.width, seen.height);
  lastInput = null;
  renderBars(null, null);
  $('server-class').textContent = '–';
  $('browser-class').textContent = '–';
  $('agreement').textContent = '';
}

/** Shows `values` ([h, w, c] in [0, 1]) on the "what the model sees" canvas. */
function showSeen(values, [height, width, channels]) {
  seen.width = width;
  seen.height = height;
  const context = seen.getContext('2d');
  const image = context.createImageData(width, height);
  for (let i = 0; i < width * height; i++) {
    for (let c = 0; c < 3; c++) image.data[i * 4 + c] = Math.round(255 * values[i * channels + (channels === 1 ? 0 : c)]);
    image.data[i * 4 + 3] = 255;
  }
  context.putImageData(image, 0, 0);
}

/** The drawing as the model's input: MNIST's layout for 28×28 grey models, a plain resize otherwise. */
function drawingInput() {
  const [height, width] = current.inputShape;
  const rgba = padContext.getImageData(0, 0, pad.width, pad.height).data;
  const grey = new Float32Array(pad.width * pad.height);
  for (let i = 0; i < grey.length; i++) grey[i] = rgba[i * 4] / 255;
  if (height === 28 && width === 28) return mnistInput(grey, pad.width, pad.height);
  const small = document.createElement('canvas');
  small.width = width;
  small.height = height;
  small.getContext('2d').drawImage(pad, 0, 0, width, height);
  const data = small.getContext('2d').getImageData(0, 0, width, height).data;
  return Float32Array.from({ length: width * height }, (_, i) => data[i * 4] / 255);
}

/** The chosen image resized to the model's input in this browser, so server and browser see the same values. */
async function imageInput(file) {
  const [height, width, channels] = current.inputShape;
  const bitmap = await createImageBitmap(file);
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d');
  context.fillStyle = '#000';
  context.fillRect(0, 0, width, height);
  context.drawImage(bitmap, 0, 0, width, height);
  const data = context.getImageData(0, 0, width, height).data;
  const out = new Float32Array(width * height * channels);
  for (let i = 0; i < width * height; i++) {
    if (channels === 1) out[i] = (0.299 * data[i * 4] + 0.587 * data[i * 4 + 1] + 0.114 * data[i * 4 + 2]) / 255;
    else for (let c = 0; c < 3; c++) out[i * 3 + c] = data[i * 4 + c] / 255;
  }
  return out;
}

/** The served model rebuilt in this browser from its config and weights (cached per name). */
function browserModel(name) {
  if (!browserModels.has(name)) {
    browserModels.set(
      name,
      (async () => {
        const [core, doc] = await Promise.all([import('/core/core.js'), api(`/v1/models/${encodeURIComponent(name)}/weights`)]);
        core.setBackend('ts');
        const model = core.layerFromConfig(doc.model);
        const weights = doc.weights.map((w) => {
          const bytes = Uint8Array.from(atob(w.data), (ch) => ch.charCodeAt(0));
          return core.tensor(new Float32Array(bytes.buffer), w.shape);
        });
        model.setWeights(weights);
        return { core, model };
      })(),
    );
  }
  return browserModels.get(name);
}

const argmax = (values) => values.reduce((best, v, i) => (v > values[best] ? i : best), 0);

function renderBars(server, browser) {
  const bars = $('bars');
  const count = current ? current.outputShape.reduce((a, b) => a * b, 1) : 0;
  bars.replaceChildren();
  const top = server ? argmax(server) : -1;
  for (let k = 0; k < count; k++) {
    const row = document.createElement('div');
    row.className = k === top ? 'bar top' : 'bar';
    const p = server ? server[k] : 0;
    row.innerHTML = `<span>${k}</span><span class="track"><span class="fill" style="width:${(100 * p).toFixed(1)}%"></span>${
      browser ? `<span class="fill browser" style="width:${(100 * browser[k]).toFixed(1)}%"></span>` : ''
    }</span><span class="value">${server ? p.toFixed(3) : ''}</span>`;
    bars.append(row);
  }
}

async function predict(input) {
  if (!current || !input) return;
  const mine = ++sequence;
  const shape = current.inputShape;
  lastInput = input;
  showSeen(input, shape);
  try {
    let start = performance.now();
    const { predictions } = await api(`/v1/models/${encodeURIComponent(current.name)}:predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ instances: [nest(input, shape)] }),
    });
    const server = predictions[0].flat(Infinity);
    const serverMs = performance.now() - start;
    let browser = null;
    let browserMs = 0;
    if ($('in-browser').checked) {
      const { core, model } = await browserModel(current.name);
      start = performance.now();
      browser = Array.from(model.predict(core.tensor(input, [1, ...shape])).data);
      browserMs = performance.now() - start;
    }
    if (mine !== sequence) return; // a newer drawing is on its way
    renderBars(server, browser);
    $('server-class').textContent = String(argmax(server));
    $('server-time').textContent = `(${serverMs.toFixed(0)} ms round trip)`;
    $('browser-class').textContent = browser ? String(argmax(browser)) : '–';
    $('browser-time').textContent = browser ? `(${browserMs.toFixed(0)} ms in this page)` : '';
    const agreement = $('agreement');
    if (browser) {
      const diff = Math.max(...server.map((v, i) => Math.abs(v - browser[i])));
      const agree = argmax(server) === argmax(browser) && diff < 1e-4;
      agreement.className = `note ${agree ? 'agree' : 'differ'}`;
      agreement.textContent = `${agree ? 'Both agree' : 'They differ'}: class ${argmax(server)} on the server, ${argmax(browser)} here; largest probability difference ${diff.toExponential(1)}`;
      agreement.dataset.maxDiff = String(diff);
    } else {
      agreement.textContent = '';
    }
    setStatus('');
    document.body.dataset.rounds = String(++rounds);
  } catch (err) {
    setStatus(`Error: ${err.message}`);
  }
}

function setModel(name) {
  current = models.find((m) => m.name === name);
  const [, , channels] = current.inputShape;
  $('model-info').textContent = `input ${current.inputShape.join('×')}, ${current.outputShape.join('×')} outputs`;
  $('draw-panel').querySelector('h2').hidden = channels !== 1;
  pad.hidden = channels !== 1;
  $('clear').hidden = channels !== 1;
  $('mnist-note').hidden = !(channels === 1 && current.inputShape[0] === 28 && current.inputShape[1] === 28);
  $('image-panel').hidden = false;
  clearPad();
}

// Drawing: thick round white strokes; predict while drawing (at most every 150 ms) and at the end.
let drawing = false;
let last = null;
let lastSent = 0;
function point(event) {
  const rect = pad.getBoundingClientRect();
  return { x: ((event.clientX - rect.left) * pad.width) / rect.width, y: ((event.clientY - rect.top) * pad.height) / rect.height };
}
pad.addEventListener('pointerdown', (event) => {
  drawing = true;
  pad.setPointerCapture(event.pointerId);
  last = point(event);
  padContext.fillStyle = '#fff';
  padContext.beginPath();
  padContext.arc(last.x, last.y, 10, 0, 2 * Math.PI);
  padContext.fill();
});
pad.addEventListener('pointermove', (event) => {
  if (!drawing) return;
  const p = point(event);
  padContext.strokeStyle = '#fff';
  padContext.lineWidth = 20;
  padContext.lineCap = 'round';
  padContext.lineJoin = 'round';
  padContext.beginPath();
  padContext.moveTo(last.x, last.y);
  padContext.lineTo(p.x, p.y);
  padContext.stroke();
  last = p;
  if (performance.now() - lastSent > 150) {
    lastSent = performance.now();
    void predict(drawingInput());
  }
});
const endStroke = () => {
  if (!drawing) return;
  drawing = false;
  void predict(drawingInput());
};
pad.addEventListener('pointerup', endStroke);
pad.addEventListener('pointercancel', endStroke);
$('clear').addEventListener('click', clearPad);
$('file').addEventListener('change', async () => {
  const file = $('file').files[0];
  if (file) void predict(await imageInput(file));
});
$('in-browser').addEventListener('change', () => void predict(lastInput));
$('model').addEventListener('change', () => setModel($('model').value));

try {
  models = (await api('/v1/models')).models;
  $('model').replaceChildren(...models.map((m) => Object.assign(document.createElement('option'), { value: m.name, textContent: m.name })));
  setModel(models[0].name);
  document.body.dataset.ready = 'true';
} catch (err) {
  setStatus(`Error: ${err.message}`);
}
