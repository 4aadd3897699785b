// The reading pane's page logic: swaps posts in, typesets the first screen first and the rest in
// the background, keeps typeset posts for instant revisits, highlights search terms, and talks
// to Python through the Qt web channel (object "bridge").
'use strict';

(() => {
  const CACHE_LIMIT = 24;        // typeset posts kept for revisits, by post key
  const KEPT_IN_PAGE = 3;        // of those, the most recent stay in the page (hidden)
  // Formulas typeset per background step. Each step ends with a frame in which the browser
  // restyles what is on screen for MathJax's grown style sheet: 64 (about 0.1 s of work) costs
  // far fewer frames than 24 and keeps the pane responsive enough.
  let CHUNK = 64;
  const LINE_SLACK = 40;         // px below the screen still counted as on it
  const pane = document.getElementById('pane');

  const state = {
    bridge: null,
    queue: Promise.resolve(),    // MathJax work runs one job at a time, in order
    generation: 0,               // bumped by every show(); stale jobs stop when it changes
    current: null,               // {id, node, complete, result, started}
    cache: new Map(),            // id -> {node, result}, least recently used first
    terms: [],
    hits: [],                    // one array of <mark> elements per match, in document order
    hitIndex: -1,
    scrollTimer: 0,
    switching: false,            // show() called, new post not on screen yet
    endSent: false,              // end_reached sent for the post on screen
    reportScreens: false,        // tests: note what was on screen at post_shown
    screenReport: null,
  };

  // While Python holds it (see holdBackground), the typesetting of a post's formulas below its
  // first screen waits, and so does the font data's loading, each at its next chunk.
  const background = {held: false, waiting: []};

  const timings = [];
  function mark(label, started) {
    // Milestones of the post being shown, in ms since show() (kexue.timings(), benchmarks).
    if (timings.length > 500) timings.splice(0, 250);
    timings.push(label + ' ' + (performance.now() - started).toFixed(1));
  }

  function send(name, ...args) {
    if (state.bridge) state.bridge[name](...args);
  }

  function mathDocument() {
    return MathJax.startup.document;
  }

  function nextTask() {
    return new Promise((resolve) => setTimeout(resolve, 0));
  }

  // ---- posts ---------------------------------------------------------------------------------

  function buildArticle(post) {
    const article = document.createElement('article');
    article.className = 'kx-post';
    article.dataset.postId = post.id;
    const title = document.createElement('h1');
    title.className = 'kx-title';
    title.textContent = post.title;           // text, never HTML
    const meta = document.createElement('div');
    meta.className = 'kx-meta';
    meta.textContent = post.meta;
    const body = document.createElement('div');
    body.className = 'kx-body';
    body.innerHTML = post.html;               // sanitised by reader/core/render.py
    // Each formula's TeX, read before MathJax replaces it: search terms are looked for in it.
    for (const element of body.querySelectorAll('.arithmatex')) {
      formulaTex.set(element, {tex: texSource(element.textContent), folded: null});
    }
    article.append(title, meta, body);
    return article;
  }

  // A post left fully typeset stays in the page, hidden (content-visibility: hidden in
  // pane.css): the browser keeps its style and layout, so showing it again is a class flip, and
  // the frame after a switch costs little. Taking a node out of the page and putting it back
  // made the browser rebuild both (35-50 ms of frame work for a long post, which also delayed
  // the next post's start when the reader pressed j repeatedly). Only the few most recent stay
  // in the page: hidden posts still slow the next first screens down (measured: with 24 hidden
  // 200-formula posts, the renderer's time for a first screen went from about 80 ms to
  // 180-260 ms), so older ones are kept detached, as before. Hidden posts keep their element
  // ids, so ids repeat across posts: look elements up within the current post only.
  function leaveCurrent() {
    const current = state.current;
    if (!current) return;
    state.current = null;
    clearHits();
    MathJax.typesetClear([current.node]);
    // Formulas of the old post that the observer queued for typesetting are gone now.
    mathDocument().lazySet.clear();
    if (!current.complete) {
      current.node.remove();
      return;
    }
    current.node.classList.add('kx-hidden');
    state.cache.delete(current.key);
    state.cache.set(current.key, {node: current.node, result: current.result});
    while (state.cache.size > CACHE_LIMIT) {
      const oldest = state.cache.keys().next().value;
      state.cache.get(oldest).node.remove();
      state.cache.delete(oldest);
    }
    let older = state.cache.size - KEPT_IN_PAGE;
    for (const {node} of state.cache.values()) {
      if (older-- <= 0) break;
      if (node.isConnected) node.remove();
    }
  }

  function forgetCached() {
    for (const {node} of state.cache.values()) node.remove();
    state.cache.clear();
  }

  function scrollToFraction(fraction) {
    const max = document.documentElement.scrollHeight - window.innerHeight;
    window.scrollTo(0, max > 0 ? Math.round(fraction * max) : 0);
  }

  function show(post) {
    const generation = ++state.generation;
    wakeBackground();                         // a post waiting for its turn stops waiting
    state.switching = true;
    state.endSent = false;
    const started = performance.now();
    // Wall-clock time of this call, so a benchmark can tell how long the call waited to run.
    timings.push('origin ' + (performance.timeOrigin + started).toFixed(1));
    state.queue = state.queue
      .then(() => showNow(post, generation, started))
      .catch((error) => console.error('kexue: showing a post failed: ' + (error && error.stack || error)));
  }

  async function showNow(post, generation, started) {
    if (generation !== state.generation) return;
    mark('queued', started);
    leaveCurrent();
    mark('left', started);
    const cached = state.cache.get(post.key);
    if (cached) {
      state.cache.delete(post.key);
      if (!cached.node.isConnected) pane.append(cached.node);
      cached.node.classList.remove('kx-hidden');
      state.switching = generation !== state.generation;
      state.current = {id: post.id, key: post.key, node: cached.node, complete: true,
        result: cached.result, started};
      mark('mounted', started);
      scrollToFraction(post.scroll);
      mark('scrolled', started);
      setTerms(post.terms);
      mark('terms', started);
      const ms = performance.now() - started;
      send('postShown', post.id);
      send('typesetFinished', JSON.stringify({...cached.result, ms, first_ms: ms, cached: true}));
      return;
    }
    const node = buildArticle(post);
    node.started = started;
    pane.append(node);
    state.switching = generation !== state.generation;
    window.scrollTo(0, 0);
    const current = {id: post.id, key: post.key, node, complete: false, result: null, started};
    state.current = current;
    mark('built', started);
    MathJax.texReset();
    const blocks = [...node.querySelector('.kx-body').children];
    let waiting = blocks;                     // blocks whose formulas MathJax has not found yet
    let firstFormulas = null;                 // formulas typeset for the first screen
    if (post.scroll > 0) {
      // The position depends on everything above it: typeset the whole post first.
      await findFormulas(blocks);
      mark('found', started);
      if (generation !== state.generation) return;
      await typesetRest(current, generation);
      if (generation !== state.generation) return;
      scrollToFraction(post.scroll);
    } else {
      [waiting, firstFormulas] = await typesetVisible(node, blocks, generation);
      if (generation !== state.generation) return;
    }
    mark('visible', started);
    setTerms(post.terms);
    const firstMs = performance.now() - started;
    send('postShown', post.id);
    if (state.reportScreens) state.screenReport = screenReport(node, firstFormulas);
    await nextTask();                         // lets the message reach Python before more work
    if (generation !== state.generation) return;
    await findFormulas(waiting);
    if (generation !== state.generation) return;
    await typesetRest(current, generation, true);
    if (generation !== state.generation) return;
    current.complete = true;
    current.result = collectResult(current);
    preloadFontData();
    const ms = performance.now() - started;
    send('typesetFinished', JSON.stringify({...current.result, ms, first_ms: firstMs, cached: false}));
  }

  // ---- typesetting ---------------------------------------------------------------------------

  // ui/lazy leaves an <mjx-lazy> marker where each formula not yet typeset goes; the pane
  // decides which markers to typeset when, instead of waiting for idle time.
  function markersIn(element) {
    return element.querySelectorAll('mjx-lazy');
  }

  async function typesetMarkers(markers) {
    if (!markers.length) return;
    const doc = mathDocument();
    for (const marker of markers) {
      const id = marker.getAttribute('data-mjx-lazy');
      if (doc.lazyList.get(id)) doc.lazySet.add(id);
    }
    doc.lazyHandleSet();
    await doc.lazyPromise;
  }

  // MathJax finds the formulas of these blocks and leaves a ui/lazy placeholder for each. It
  // searches only the formula elements render.py made, not the post's whole text. A post's
  // formulas are found a few blocks at a time, always in document order and after those found
  // before; MathJax would merge each batch into its list by the formula's offset within its own
  // element (all 0 here), which scrambles the order across batches: append instead, so the
  // list, equation numbers and the formulas reported stay in document order.
  function appendInOrder() {
    return false;                             // MathList.isBefore(new, old)
  }

  async function findFormulas(blocks) {
    const formulas = [];
    for (const block of blocks) {
      if (block.classList.contains('arithmatex')) formulas.push(block);
      else formulas.push(...block.querySelectorAll('.arithmatex'));
    }
    if (!formulas.length) return;
    mathDocument().math.isBefore = appendInOrder;
    await MathJax.typesetPromise(formulas);
  }

  // The formulas on screen (or a line's worth of slack below it, for a tall inline formula
  // whose line starts just below the edge), block by block from the top: MathJax finds the
  // block's formulas, the pane typesets those on screen, and measures the next block, until
  // one starts below the screen. Returns the blocks not reached, whose formulas are found
  // after the first screen is shown.
  // Measuring is cheap: off-screen blocks are not laid out (content-visibility: auto in
  // pane.css). But until the browser's first frame of a new post it treats every block as off
  // screen, each measuring its estimated 2.2em, which made some twenty blocks look on screen:
  // each block walked is laid out for real first (kx-laid). And placeholders take no room, so
  // typesetting every placeholder on screen at once typesets formulas that the ones above push
  // off it (both together: 20 formulas of the benchmark's 200-formula post where 7 fit).
  // ui/lazy compiles the formulas above first, so equation numbers are right.
  async function typesetVisible(node, blocks, generation) {
    const bottom = window.innerHeight + LINE_SLACK;
    let formulas = 0;
    for (let index = 0; index < blocks.length; index++) {
      if (generation !== state.generation) return [[], formulas];
      const block = blocks[index];
      block.classList.add('kx-laid');
      if (block.getBoundingClientRect().top > bottom) {
        mark(`screen: ${formulas} formulas, ${index} blocks`, node.started);
        return [blocks.slice(index), formulas];
      }
      await findFormulas([block]);
      const markers = [];
      for (const marker of markersIn(block)) {
        if (marker.getBoundingClientRect().top <= bottom) markers.push(marker);
      }
      if (markers.length) await typesetMarkers(markers);
      formulas += markers.length;
    }
    mark(`screen: ${formulas} formulas, all blocks`, node.started);
    return [[], formulas];
  }

  // For tests (kexue.reportScreens): the formulas on screen when post_shown was sent, typeset
  // or still waiting, and how many the first screen typeset.
  // Every block is laid out for it (before the first frame, blocks not walked would measure
  // their estimated height).
  function screenReport(node, firstFormulas) {
    const report = {typeset: 0, waiting: 0, first: firstFormulas};
    const added = [...node.querySelectorAll('.kx-body > :not(.kx-laid)')];
    for (const block of added) block.classList.add('kx-laid');
    for (const element of node.querySelectorAll('.arithmatex')) {
      const rect = element.getBoundingClientRect();
      if (rect.bottom <= 0 || rect.top >= window.innerHeight) continue;
      const done = element.querySelector('mjx-container') && !element.querySelector('mjx-lazy');
      report[done ? 'typeset' : 'waiting'] += 1;
    }
    for (const block of added) block.classList.remove('kx-laid');
    return report;
  }

  // Everything else, a chunk at a time in document order so the pane stays responsive;
  // Chromium's scroll anchoring keeps what the reader looks at in place while formulas above it
  // change height.
  async function typesetRest(current, generation, inBackground = false) {
    for (;;) {
      if (inBackground) await backgroundTurn(generation);
      if (generation !== state.generation) return;
      const markers = [...markersIn(current.node)].slice(0, CHUNK);
      if (!markers.length) break;
      await typesetMarkers(markers);
      await nextTask();
    }
    if (generation === state.generation) await redoForwardReferences(current.node);
  }

  // A formula compiled before the label it refers to shows (???). MathJax marks it for
  // recompiling (inputData.recompile) but only redoes it within one compile pass, and the lazy
  // passes are small; once the whole post is compiled, redo those formulas with the numbers
  // they had, so \eqref of an equation further down shows its number.
  async function redoForwardReferences(node) {
    const doc = mathDocument();
    const STATE = MathJax._.core.MathItem.STATE;
    const redo = [];
    for (const math of doc.math) {
      if (math.inputData.recompile && math.typesetRoot && node.contains(math.typesetRoot)) {
        redo.push(math);
      }
    }
    if (!redo.length) return;
    for (const math of redo) {
      const recompile = math.inputData.recompile;
      math.state(recompile.state);
      math.inputData.recompile = recompile;
      math.lazyCompile = math.lazyTypeset = false;
    }
    doc.state(STATE.COMPILED - 1, null);
    await MathJax._.mathjax.mathjax.handleRetriesFor(() => doc.render());
  }

  // Python holds the background work while a library is being indexed: on two cores, the
  // typesetting of the rest of the first post and the font data's loading (0.6-0.8 s of the
  // renderer's time) had the index built in 1.7-1.9 s instead of 1.3-1.4 s (docs/benchmarks.md).
  // Formulas the reader scrolls to meanwhile are still typeset at once (ui/lazy's observer);
  // only the eager part waits.
  function holdBackground(on) {
    background.held = !!on;
    if (!background.held) wakeBackground();
  }

  function wakeBackground() {
    const waiting = background.waiting;
    background.waiting = [];
    for (const resume of waiting) resume();
  }

  // Resolves when the background may go on, or when another post (or none) is shown: the job
  // waiting must not hold the queue the next post's job waits in.
  async function backgroundTurn(generation) {
    while (background.held && generation === state.generation) {
      await new Promise((resolve) => background.waiting.push(resolve));
    }
  }

  // The font's glyph data comes in 40 range files (600 KB) that MathJax loads on first use,
  // restarting the typeset pass each time one arrives. Once the first post is done, load the
  // rest in the background so later posts never wait for one.
  let fontDataRequested = false;
  function preloadFontData() {
    if (fontDataRequested) return;
    fontDataRequested = true;
    mathDocument().outputJax.font.loadDynamicFiles().catch(
      (error) => console.error('kexue: loading font data failed: ' + error));
  }

  function mathErrors(node, out) {
    if (node.isKind && node.isKind('merror')) {
      out.push(node.attributes.get('data-mjx-error') || 'error');
    }
    if (node.attributes && node.attributes.get('href') === '#' && node.isKind('mrow')) {
      out.push('Reference to an undefined label');
    }
    for (const child of node.childNodes || []) mathErrors(child, out);
    return out;
  }

  function collectResult(current) {
    const formulas = [];
    const errors = [];
    for (const math of mathDocument().math) {
      if (!math.typesetRoot || !current.node.contains(math.typesetRoot)) continue;
      formulas.push(math.math);
      for (const message of mathErrors(math.root, [])) errors.push({tex: math.math, message});
    }
    // A formula MathJax did not even find (a brace left open swallows its closing delimiter)
    // stays raw TeX in the page: report it too.
    for (const element of current.node.querySelectorAll('.arithmatex')) {
      if (element.querySelector('mjx-container')) continue;
      const tex = texSource(element.textContent);
      errors.push({tex, message: 'Not typeset: MathJax found no complete formula here '
        + '(unbalanced braces?)'});
    }
    return {id: current.id, formulas, errors, text: postText(current.node)};
  }

  // The post's text as shown: title, meta line, then each block of the body on a line of its
  // own, a formula as its typeset characters. Not innerText: that leaves out every block the
  // browser has not laid out (content-visibility: auto), so a long post's text lost its end
  // (34 of 120 paragraphs), and it forces a layout.
  const LINE_BLOCKS = new Set(['P', 'DIV', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'LI', 'PRE',
    'BLOCKQUOTE', 'TR', 'DT', 'DD', 'UL', 'OL', 'DL', 'TABLE', 'HR']);

  function postText(root) {
    const lines = [];
    let line = '';
    const endLine = (pre) => {
      const text = pre ? line : line.replace(/^ +| +$/g, '');
      if (text) lines.push(text);
      line = '';
    };
    const walk = (element, pre) => {
      for (const child of element.childNodes) {
        if (child.nodeType === Node.TEXT_NODE) {
          line += pre ? child.data : child.data.replace(/[ \t\r\n]+/g, ' ');  // as laid out
        } else if (child.nodeType !== Node.ELEMENT_NODE) {
          continue;
        } else if (child.tagName === 'BR') {
          lines.push(line);
          line = '';
        } else if (child.tagName === 'MJX-CONTAINER') {
          line += child.textContent;
        } else if (LINE_BLOCKS.has(child.tagName)) {
          const inPre = pre || child.tagName === 'PRE';
          endLine(pre);
          walk(child, inPre);
          endLine(inPre);
        } else {
          walk(child, pre);
        }
      }
    };
    walk(root, false);
    endLine(false);
    return lines.join('\n');
  }

  function typesetAll() {
    // Resolves when the post being shown is typeset completely (check-render, tests).
    return state.queue.then(() => (state.current ? state.current.result : null));
  }

  // ---- search highlights ---------------------------------------------------------------------

  // The TeX of each formula element of the posts built (span/div.arithmatex), without its
  // \( \) or \[ \] delimiters, and folded once a search needs it (folding every formula when
  // a post is built took 2 ms per 400 formulas of about 70 characters; most posts are read
  // without a search).
  const formulaTex = new WeakMap();

  function texSource(text) {
    return text.replace(/^\\[(\[]/, '').replace(/\\[)\]]$/, '');
  }

  function fold(text) {
    // Python's str.casefold after NFKC, as reader.core.index.normalize; toLowerCase differs
    // from casefold on a few letters, fixed up here.
    return text.normalize('NFKC').toLowerCase().replace(/ß/g, 'ss').replace(/ς/g, 'σ');
  }

  const BLOCKS = 'p,li,h1,h2,h3,h4,h5,h6,td,th,pre,blockquote,dd,dt,div';

  function textIndex(root) {
    // The folded text of root outside formulas, with each folded unit mapped to (node, offset).
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
      // Never inside a formula, typeset or not: a <mark> in TeX waiting for MathJax would
      // break it.
      acceptNode: (n) => (n.parentElement.closest('mjx-container, .arithmatex')
        ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT),
    });
    let folded = '';
    const nodes = [];
    const offsets = [];
    let lastBlock = null;
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const block = node.parentElement.closest(BLOCKS);
      if (block !== lastBlock) {
        folded += '\u0000';
        nodes.push(null);
        offsets.push(0);
        lastBlock = block;
      }
      const text = node.data;
      for (let i = 0; i < text.length;) {
        const code = text.codePointAt(i);
        const width = code > 0xffff ? 2 : 1;
        const piece = fold(text.slice(i, i + width));
        for (let k = 0; k < piece.length; k++) {
          nodes.push(node);
          offsets.push(i);
        }
        folded += piece;
        i += width;
      }
    }
    return {folded, nodes, offsets};
  }

  function findRanges(index, terms) {
    const found = [];
    for (const term of terms) {
      const needle = fold(term);
      if (!needle) continue;
      for (let at = index.folded.indexOf(needle); at >= 0; at = index.folded.indexOf(needle, at + 1)) {
        found.push([at, at + needle.length]);
      }
    }
    found.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
    const merged = [];
    for (const range of found) {
      const last = merged[merged.length - 1];
      if (last && range[0] < last[1]) last[1] = Math.max(last[1], range[1]);
      else merged.push(range);
    }
    return merged;
  }

  function wrapRange(index, start, end) {
    // Split [start, end) into per-text-node segments and wrap each, last segment first so the
    // offsets of earlier segments in the same node stay valid.
    const segments = [];
    for (let i = start; i < end; i++) {
      const node = index.nodes[i];
      if (!node) continue;
      const from = index.offsets[i];
      const last = segments[segments.length - 1];
      const to = (i + 1 < index.nodes.length && index.nodes[i + 1] === node)
        ? index.offsets[i + 1] : node.data.length;
      if (last && last.node === node) last.to = Math.max(last.to, to);
      else segments.push({node, from, to});
    }
    const marks = [];
    for (const {node, from, to} of segments.reverse()) {
      if (to <= from) continue;
      const range = document.createRange();
      range.setStart(node, from);
      range.setEnd(node, to);
      const mark = document.createElement('mark');
      mark.className = 'kx-hit';
      range.surroundContents(mark);
      marks.unshift(mark);
    }
    return marks;
  }

  function formulaHits(root, terms) {
    // The formulas whose TeX holds a term (the index searches the TeX as written: `\log n`
    // finds the post, so the pane shows where), each a hit of its own, marked as a whole.
    const needles = terms.map(fold).filter((needle) => needle);
    const hits = [];
    for (const element of root.querySelectorAll('.arithmatex')) {
      const formula = formulaTex.get(element);
      if (formula === undefined) continue;
      if (formula.folded === null) formula.folded = fold(formula.tex);
      if (!needles.some((needle) => formula.folded.includes(needle))) continue;
      element.classList.add('kx-hit-math');
      hits.push([element]);
    }
    return hits;
  }

  function clearHits() {
    for (const marks of state.hits) {
      for (const mark of marks) {
        if (mark.classList.contains('kx-hit-math')) {
          mark.classList.remove('kx-hit-math', 'kx-current');
          continue;
        }
        const parent = mark.parentNode;
        if (!parent) continue;
        mark.replaceWith(...mark.childNodes);
        parent.normalize();
      }
    }
    state.hits = [];
    state.hitIndex = -1;
  }

  function setTerms(terms) {
    clearHits();
    state.terms = (terms || []).filter((t) => t && t.length);
    const current = state.current;
    if (current && state.terms.length) {
      const index = textIndex(current.node);
      const ranges = findRanges(index, state.terms);
      for (let k = ranges.length - 1; k >= 0; k--) {
        const marks = wrapRange(index, ranges[k][0], ranges[k][1]);
        if (marks.length) state.hits.unshift(marks);
      }
      const formulas = formulaHits(current.node, state.terms);
      if (formulas.length) {
        state.hits = state.hits.concat(formulas).sort((a, b) => (
          a[0].compareDocumentPosition(b[0]) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1));
      }
    }
    send('matchesChanged', state.hitIndex, state.hits.length);
    return state.hits.length;
  }

  function goToHit(step) {
    if (!state.hits.length) return -1;
    for (const mark of state.hits[state.hitIndex] || []) mark.classList.remove('kx-current');
    state.hitIndex = (state.hitIndex + step + state.hits.length) % state.hits.length;
    const marks = state.hits[state.hitIndex];
    for (const mark of marks) mark.classList.add('kx-current');
    marks[0].scrollIntoView({block: 'center'});
    send('matchesChanged', state.hitIndex, state.hits.length);
    return state.hitIndex;
  }

  // ---- scrolling, links, theme ---------------------------------------------------------------

  function atBottom() {
    return window.scrollY + window.innerHeight >= document.documentElement.scrollHeight - 2;
  }

  function page(direction) {
    // Between show() and the new post on screen, paging would act on the old post (and at its
    // bottom ask for yet another post): ignore it. Likewise once end_reached is sent, until
    // a post is shown or the reader leaves the bottom.
    if (state.switching) return false;
    if (direction > 0 && atBottom()) {
      if (!state.endSent) send('endReached');
      state.endSent = true;
      return false;
    }
    window.scrollBy(0, direction * Math.max(40, window.innerHeight * 0.9));
    return true;
  }

  function reportScroll() {
    state.scrollTimer = 0;
    const current = state.current;
    if (!current) return;
    const max = document.documentElement.scrollHeight - window.innerHeight;
    send('scrollChanged', current.id, max > 0 ? Math.min(1, window.scrollY / max) : 0);
  }

  window.addEventListener('scroll', () => {
    if (state.endSent && !atBottom()) state.endSent = false;
    if (!state.scrollTimer) state.scrollTimer = setTimeout(reportScroll, 150);
  }, {passive: true});

  function elementInCurrentPost(id) {
    // Not document.getElementById: a hidden cached post may hold an element with the same id
    // (the same \label in two posts), and it may come first in the page.
    const current = state.current;
    return current ? current.node.querySelector('[id="' + CSS.escape(id) + '"]') : null;
  }

  async function jumpTo(id) {
    let target = elementInCurrentPost(id);
    if (!target && state.current && !state.current.complete) {
      await state.queue;                      // the equation may still be a placeholder
      target = elementInCurrentPost(id);
    }
    if (target) target.scrollIntoView({block: 'center'});
  }

  // In-page references (\eqref, footnotes) scroll the pane; every other link goes on to
  // QWebEnginePage.acceptNavigationRequest, which hands it to the system browser.
  document.addEventListener('click', (event) => {
    const link = event.target.closest && event.target.closest('a[href]');
    if (!link) return;
    const href = link.getAttribute('href');
    if (href.startsWith('#')) {
      event.preventDefault();
      if (href.length > 1) jumpTo(decodeURIComponent(href.slice(1)));
    }
  }, true);

  function clear() {
    // Nothing to show (an empty library or no search hit): the pane goes blank.
    const generation = ++state.generation;
    wakeBackground();
    state.switching = true;
    state.queue = state.queue.then(() => {
      leaveCurrent();
      // Blank means blank: the cached posts leave the page too (they stay cached, detached).
      for (const {node} of state.cache.values()) node.remove();
      pane.replaceChildren();
      state.switching = generation !== state.generation;
    });
  }

  function setDark(dark) {
    document.documentElement.classList.toggle('dark', !!dark);
  }

  window.kexue = {
    show, clear, setTerms, setDark, typesetAll, holdBackground,
    nextMatch: () => goToHit(1),
    previousMatch: () => goToHit(-1),
    pageDown: () => page(1),
    pageUp: () => page(-1),
    currentId: () => (state.current ? state.current.id : null),
    result: () => (state.current ? state.current.result : null),
    cachedIds: () => [...state.cache.keys()],
    timings: () => timings.splice(0),
    setChunk: (n) => { const previous = CHUNK; CHUNK = n; return previous; },
    forget: forgetCached,
    reportScreens: (on) => { state.reportScreens = !!on; state.screenReport = null; },
    screenReport: () => state.screenReport,
  };

  // Ready when MathJax has started and the channel to Python is up.
  const channelReady = new Promise((resolve) => {
    if (typeof qt === 'undefined' || !window.QWebChannel) { resolve(); return; }
    new QWebChannel(qt.webChannelTransport, (channel) => {
      state.bridge = channel.objects.bridge;
      resolve();
    });
  });
  // Measuring a formula's surroundings (getMetrics: em, ex, container width) forces a layout,
  // and ui/lazy would do it for every formula of the post before leaving placeholders. Every
  // paragraph of the pane has the same font and width, so the metrics measured once (per
  // inline/display, until the window is resized) are given to the others; formulas still
  // waiting are skipped altogether (ui/lazy measures what lacks metrics when it typesets).
  const knownMetrics = [null, null];        // [inline, display]
  window.addEventListener('resize', () => { knownMetrics[0] = knownMetrics[1] = null; });

  function reuseMetrics(doc) {
    const {RenderList} = MathJax._.core.MathDocument;
    const STATE = MathJax._.core.MathItem.STATE;
    const reuse = (math) => {
      if (math.state() >= STATE.METRICS) return;
      const known = knownMetrics[math.display ? 1 : 0];
      if (known) {
        math.setMetrics(known.em, known.ex, known.containerWidth, known.scale);
        math.state(STATE.METRICS);
      } else if (math.lazyTypeset) {
        math.state(STATE.METRICS);
      }
    };
    const remember = (math) => {
      const slot = math.display ? 1 : 0;
      if (!knownMetrics[slot] && math.state() >= STATE.METRICS && math.metrics.em) {
        knownMetrics[slot] = {...math.metrics};
      }
    };
    const [before, priority] = RenderList.action('kexueReuseMetrics', [
      STATE.METRICS - 1, (d) => { for (const math of d.math) reuse(math); }, reuse, false]);
    const [after, priority2] = RenderList.action('kexueRememberMetrics', [
      STATE.METRICS + 1, (d) => { for (const math of d.math) remember(math); }, remember, false]);
    doc.renderActions.add(before, priority);
    doc.renderActions.add(after, priority2);
  }

  Promise.all([MathJax.startup.promise, channelReady]).then(() => {
    const doc = mathDocument();
    reuseMetrics(doc);
    // ui/lazy waits for an idle period before typesetting what scrolled into view; a task is
    // soon enough and much sooner while the reader scrolls.
    doc.lazyProcessSet = () => setTimeout(() => doc.lazyHandleSet(), 0);
    send('ready');
  }).catch((error) => console.error('kexue: start-up failed: ' + (error && error.stack || error)));
})();
