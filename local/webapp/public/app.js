// The local test app: upload photos through presigned PUTs, then watch their ImageMetadata items.
const API = new URL('api/', location.href);
const POLL_MS = 2000;
const $ = (id) => document.getElementById(id);
const userInput = $('user');
const albumSelect = $('album');
const grid = $('grid');
let pollTimer;
let extraAlbums = new Set();
// Keys uploaded but not listed yet: the item appears once the workflow's first step has run.
const pending = new Map();
const PENDING_MS = 60000;
let lastCount = -1;

function el(tag, props = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  for (const child of children) if (child !== undefined && child !== null) node.append(child);
  return node;
}

async function api(path, init) {
  const response = await fetch(new URL(path, API), init);
  const body = await response.json();
  if (!response.ok) throw new Error(body.message ?? `HTTP ${response.status}`);
  return body;
}

const user = () => userInput.value.trim();
const album = () => albumSelect.value;

async function loadAlbums() {
  if (!user()) return;
  const { albums } = await api(`albums?user=${encodeURIComponent(user())}`);
  const selected = album();
  const names = new Map(albums.map((a) => [a.name, a.count]));
  for (const name of extraAlbums) if (!names.has(name)) names.set(name, 0);
  albumSelect.replaceChildren(el('option', { value: '', textContent: 'All photos' }));
  for (const [name, count] of [...names].sort(([a], [b]) => a.localeCompare(b))) {
    albumSelect.append(el('option', { value: name, textContent: `${name} (${count})` }));
  }
  albumSelect.value = names.has(selected) ? selected : '';
  showTarget();
}

function showTarget() {
  $('upload-target').textContent = `Uploads go to private/${user() || '…'}/uploads/${album() ? `${album()}/` : ''}`;
}

function text(value) {
  return value === undefined || value === null ? undefined : String(value);
}

function row(list, term, value) {
  if (value === undefined || value === null || value === '') return;
  list.append(el('dt', { textContent: term }), el('dd', {}, value));
}

function card(photo) {
  const thumb = el('div', { className: 'thumb' });
  if (photo.thumbnailUrl) {
    thumb.append(
      el('img', {
        src: photo.thumbnailUrl,
        alt: `Thumbnail of ${photo.fileName}`,
        width: photo.thumbnail.width,
        height: photo.thumbnail.height,
      }),
    );
  } else {
    thumb.textContent = photo.status === 'PROCESSING' ? 'Processing…' : 'No thumbnail';
  }
  const facts = el('dl');
  row(facts, 'Album', photo.albumId);
  if (photo.format) row(facts, 'Image', `${photo.format}${photo.width ? `, ${photo.width} × ${photo.height}` : ''}`);
  const exif = photo.exif ?? {};
  row(facts, 'Camera', [exif.make, exif.model].filter(Boolean).join(' '));
  row(facts, 'Taken', exif.takenAt);
  if (photo.gps) {
    const { latitude, longitude, altitude } = photo.gps;
    row(
      facts,
      'GPS',
      `${latitude.toFixed(5)}, ${longitude.toFixed(5)}${altitude !== undefined ? `, ${Math.round(altitude)} m` : ''}`,
    );
  }
  if (photo.labels?.length) {
    const labels = el('ul', { className: 'labels' });
    for (const label of photo.labels)
      labels.append(el('li', { textContent: `${label.name} ${label.confidence.toFixed(0)}%` }));
    row(facts, 'Labels', labels);
  }
  if (photo.faces) row(facts, 'Faces', text(photo.faces.count));
  if (photo.labelsError) row(facts, 'Labels error', `${photo.labelsError.name}: ${photo.labelsError.message}`);
  const error = photo.error
    ? el('p', {
        className: 'err',
        textContent: `${photo.error.name}: ${photo.error.message}${photo.error.state ? ` (${photo.error.state})` : ''}`,
      })
    : undefined;
  return el(
    'li',
    { className: 'card', id: `photo-${photo.imageId}` },
    thumb,
    el(
      'div',
      { className: 'body' },
      el('h2', { textContent: photo.fileName }),
      el('span', { className: `badge ${photo.status}`, textContent: photo.status }),
      facts,
      error,
    ),
  );
}

async function refresh() {
  clearTimeout(pollTimer);
  if (!user()) {
    $('status').textContent = 'Enter a user.';
    grid.replaceChildren();
    return;
  }
  try {
    const query = new URLSearchParams({ user: user(), ...(album() ? { album: album() } : {}) });
    const { photos } = await api(`photos?${query}`);
    grid.replaceChildren(...photos.map(card));
    // New items change the album counts.
    if (photos.length !== lastCount) void loadAlbums();
    lastCount = photos.length;
    for (const photo of photos) pending.delete(photo.key);
    for (const [key, since] of pending) if (Date.now() - since > PENDING_MS) pending.delete(key);
    const processing = photos.filter((p) => p.status === 'PROCESSING').length;
    const waiting = pending.size
      ? `, ${pending.size} upload${pending.size === 1 ? '' : 's'} waiting for the workflow…`
      : '';
    $('status').textContent =
      `${photos.length} photo${photos.length === 1 ? '' : 's'}${processing ? `, ${processing} processing…` : ''}${waiting}`;
    if (processing || pending.size) pollTimer = setTimeout(refresh, processing ? POLL_MS : 500);
  } catch (error) {
    $('status').textContent = `Could not load photos: ${error.message}`;
  }
}

async function uploadOne(file) {
  const line = el('li', { textContent: `${file.name}: uploading…` });
  $('uploads').append(line);
  try {
    const target = await api('uploads', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        user: user(),
        album: album(),
        fileName: file.name,
        contentType: file.type || 'application/octet-stream',
      }),
    });
    const put = await fetch(target.url, { method: 'PUT', headers: target.headers, body: file });
    if (!put.ok) throw new Error(`S3 answered ${put.status}`);
    pending.set(target.key, Date.now());
    line.textContent = `${file.name}: uploaded to ${target.key}`;
  } catch (error) {
    line.className = 'error';
    line.textContent = `${file.name}: ${error.message}`;
  }
}

async function uploadAll(files) {
  if (!user()) {
    $('status').textContent = 'Enter a user before uploading.';
    return;
  }
  $('uploads').replaceChildren();
  await Promise.all([...files].map(uploadOne));
  await loadAlbums();
  void refresh();
}

$('files').addEventListener('change', (event) => {
  void uploadAll(event.target.files).then(() => (event.target.value = ''));
});
const drop = $('drop');
drop.addEventListener('dragover', (event) => {
  event.preventDefault();
  drop.classList.add('over');
});
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (event) => {
  event.preventDefault();
  drop.classList.remove('over');
  void uploadAll(event.dataTransfer.files);
});
$('create-album').addEventListener('click', () => {
  const name = $('new-album').value.trim();
  if (!name || name.includes('/') || name === '.' || name === '..') {
    $('status').textContent = 'An album name must not be empty, contain "/", or be "." or "..".';
    return;
  }
  extraAlbums.add(name);
  $('new-album').value = '';
  void loadAlbums().then(() => {
    albumSelect.value = name;
    showTarget();
    void refresh();
  });
});
$('who').addEventListener('submit', (event) => event.preventDefault());
userInput.addEventListener('change', () => {
  extraAlbums = new Set();
  void loadAlbums().then(refresh);
});
albumSelect.addEventListener('change', () => {
  showTarget();
  void refresh();
});
showTarget();
void loadAlbums().then(refresh);
