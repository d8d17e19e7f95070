// Search page: reads ?q=…&don-vi=…&chuyen-muc=…&nam=…, asks Pagefind, shows the results.
// Pagefind folds tones but not "đ", so each "d" in the query is also tried as "đ".
// Every word a reader sees is here, in the theme.
const TEXT = {
  searching: "Đang tìm…",
  none: (q) => `Không tìm thấy kết quả nào cho “${q}”.`,
  found: (n, q) => `Tìm thấy ${n} kết quả cho “${q}”.`,
  empty: "Nhập từ khóa để tìm bài viết, đơn vị hoặc trang.",
  failed: "Không tải được chỉ mục tìm kiếm. Bạn có thể xem Lưu trữ.",
  kinds: { article: "Bài viết", unit: "Đơn vị", page: "Trang" },
};
const PAGE_SIZE = 10;
const MAX_VARIANTS = 16;
const RERANK = 40; // how many of Pagefind's best results are re-ranked on whole-word matches

const form = document.getElementById("tim-kiem");
const status = document.getElementById("trang-thai");
const list = document.getElementById("ket-qua");
const more = document.getElementById("xem-them");
const params = new URLSearchParams(location.search);
const fields = { q: "q", unit: "don-vi", category: "chuyen-muc", year: "nam" };

for (const name of Object.values(fields)) {
  const value = params.get(name);
  if (value !== null && form.elements[name]) form.elements[name].value = value;
}

/** Every spelling of the query with some "d" read as "đ" (Pagefind does not fold đ). */
function variants(query) {
  let out = [""];
  for (const word of query.split(/\s+/).filter(Boolean)) {
    const forms = [""];
    for (const ch of word) {
      const next = [];
      for (const f of forms) {
        next.push(f + ch);
        if (ch === "d") next.push(f + "đ");
        if (ch === "D") next.push(f + "Đ");
      }
      forms.splice(0, forms.length, ...next.slice(0, MAX_VARIANTS));
    }
    out = out.flatMap((o) => forms.map((f) => (o ? o + " " : "") + f)).slice(0, MAX_VARIANTS);
  }
  return out;
}

/** Lower case, no tones, đ → d: how a reader types on a phone without Vietnamese keyboard. */
function fold(text) {
  return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[đĐ]/g, "d").toLowerCase();
}

function words(text) {
  return text.toLowerCase().normalize("NFC").split(/[^\p{L}\p{N}]+/u).filter(Boolean);
}

/** How closely a page matches, most important first: query words present; words spelt
 *  exactly as typed (diacritics and tone placement); the query as a phrase in a short title
 *  (a unit named as typed beats an article mentioning it); the query as a phrase anywhere. */
function closeness(query, data) {
  const title = words(data.meta.title || "").map(fold);
  const content = words(`${data.meta.title || ""} ${data.content || ""}`);
  const foldedContent = content.map(fold);
  const exact = new Set(content);
  const folded = new Set(foldedContent);
  const terms = words(query);
  const phrase = ` ${terms.map(fold).join(" ")} `;
  const inTitle = ` ${title.join(" ")} `.includes(phrase);
  return [
    terms.filter((t) => folded.has(fold(t))).length,
    terms.filter((t) => exact.has(t)).length,
    inTitle ? 100 - title.length : 0,
    ` ${foldedContent.join(" ")} `.includes(phrase) ? 1 : 0,
  ];
}

function allowedIds(filters, choice) {
  const wanted = Object.entries(choice).filter(([, v]) => v);
  if (!wanted.length) return null;
  let allowed = null;
  for (const [name, value] of wanted) {
    const ids = new Set((filters[name] || {})[value] || []);
    allowed = allowed === null ? ids : new Set([...allowed].filter((id) => ids.has(id)));
  }
  return allowed;
}

function render(result, data) {
  const item = document.createElement("li");
  const heading = document.createElement("h2");
  const link = document.createElement("a");
  link.href = data.url; // Pagefind prefixes the path it was loaded from: works under any sub-path
  link.textContent = data.meta.title;
  heading.append(link);
  const meta = document.createElement("p");
  meta.className = "meta";
  meta.textContent = [TEXT.kinds[data.meta.kind], data.meta.date, data.meta.place].filter(Boolean).join(" · ");
  const excerpt = document.createElement("p");
  excerpt.className = "excerpt";
  excerpt.innerHTML = data.excerpt; // Pagefind escapes the text and adds only <mark>
  item.append(heading, meta, excerpt);
  return item;
}

async function run() {
  const query = (params.get("q") || "").normalize("NFC").trim();
  if (!query) {
    status.textContent = TEXT.empty;
    return;
  }
  status.textContent = TEXT.searching;
  let pagefind;
  let filters;
  try {
    const [module, response] = await Promise.all([import(form.dataset.pagefind), fetch(form.dataset.filters)]);
    pagefind = module;
    filters = await response.json();
    await pagefind.options({ excerptLength: 24 });
    // The index comes in parts (runs of months of articles, named "2018" or "2018-01-03"), merged
    // into the main one all at once; a search within one year needs only that year's parts.
    const base = new URL(form.dataset.pagefind, location.href);
    const site = new URL("../", base).pathname; // result links as the main part gives them
    const year = params.get(fields.year);
    const parts = (filters.indexes || []).filter((part) => !year || part.startsWith(year));
    await Promise.all(parts.map((part) => pagefind.mergeIndex(new URL(part, base).pathname, { baseUrl: site })));
  } catch (error) {
    status.textContent = TEXT.failed;
    return;
  }
  // Pagefind ranks exact diacritics first within one search; across the widened spellings
  // each page keeps its best score.
  const best = new Map();
  for (const variant of variants(query)) {
    const search = await pagefind.search(variant);
    for (const result of search.results) {
      const known = best.get(result.id);
      if (!known || known.score < result.score) best.set(result.id, { result, score: result.score });
    }
  }
  const allowed = allowedIds(filters, {
    unit: params.get(fields.unit), category: params.get(fields.category), year: params.get(fields.year),
  });
  const candidates = [...best.values()]
    .filter(({ result }) => allowed === null || allowed.has(result.id))
    .sort((a, b) => b.score - a.score);
  // Pagefind also matches parts of words ("du" for "duc"); pages holding every word of the
  // query, then those spelt exactly as typed, come first.
  const head = candidates.slice(0, RERANK);
  const loaded = await Promise.all(head.map(({ result }) => result.data()));
  head.forEach((entry, i) => { entry.close = closeness(query, loaded[i]); entry.data = loaded[i]; });
  head.sort((a, b) => b.close[0] - a.close[0] || b.close[1] - a.close[1] || b.close[2] - a.close[2]
    || b.close[3] - a.close[3] || b.score - a.score);
  const ranked = [...head, ...candidates.slice(RERANK)];
  status.textContent = ranked.length ? TEXT.found(ranked.length, query) : TEXT.none(query);
  let shown = 0;
  async function showMore() {
    const batch = ranked.slice(shown, shown + PAGE_SIZE);
    const data = await Promise.all(batch.map((entry) => entry.data || entry.result.data()));
    batch.forEach((entry, i) => list.append(render(entry.result, data[i])));
    shown += batch.length;
    more.hidden = shown >= ranked.length;
  }
  more.addEventListener("click", showMore);
  await showMore();
}

run();
