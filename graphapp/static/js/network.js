/* The network explorer, drawn with vis-network (the copy the pyvis package ships).
 *
 * Data comes as JSON: fetched from the element's data-url (GET /api/v1/entities/{id}/network
 * with explore=1) in the app, or read from the #network-data element in an offline export.
 * Labels and tooltips are plain text: tooltips are DOM elements filled with textContent, and
 * every name reaches the page through textContent, never innerHTML.
 *
 * - one shape and colour per kind, with a legend that is also the kind filter;
 * - filters by kind, link type, case and date range (vis.DataView: nothing is refetched);
 * - expand any node in place (double-click, or Expand in the details panel): its neighbours
 *   come from GET /api/v1/entities/{id}/expand, page by page, and are merged into the view;
 * - a node whose neighbours were capped gets a "N more, expand" node: a busy hotel shows
 *   its first neighbours, not all of its hundreds;
 * - node size by a measure; large views come laid out by the server (x/y on each node) and
 *   are drawn with physics off; small ones settle with physics before they are shown.
 *
 * The element gets data-node-count, data-visible-count, data-edge-count, data-layout and,
 * once drawn and still, data-drawn-ms (ms since navigation start) and the class "ready".
 */
(function () {
  "use strict";

  var KINDS = {
    person: { name: "Person", colour: "#c0392b", shape: "dot" },
    phone: { name: "Phone", colour: "#2471a3", shape: "diamond" },
    address: { name: "Address", colour: "#7d6608", shape: "square" },
    hotel: { name: "Hotel", colour: "#8e44ad", shape: "triangle" },
    advert: { name: "Advert", colour: "#16a085", shape: "star" },
    "case": { name: "Case", colour: "#6b7785", shape: "box" }
  };
  var KIND_ORDER = ["person", "phone", "address", "hotel", "advert", "case"];
  /* Above these sizes the drawing drops what costs most per frame. */
  var BIG_VIEW = 1000, EDGE_LABELS_MAX = 3000;
  /* Zoom (vis-network's scale) from which a large view draws arrows again and labels the links
   * around the nodes in sight (at most NEAR_LABELS_MAX of them), once the view rests. */
  var DETAIL_SCALE = 0.5, NEAR_LABELS_MAX = 400, REST_MS = 250;

  function el(id) { return document.getElementById(id); }

  function tooltip(lines) {
    var div = document.createElement("div");
    div.className = "tip";
    div.textContent = lines.join("\n");
    return div;
  }

  /* What a drawn link says: its type (times its facts, when several) and its cases. */
  function linkLabel(type, facts) {
    var cases = [], seen = {};
    facts.forEach(function (f) { if (!seen[f.case_id]) { seen[f.case_id] = true; cases.push(f.case_id); } });
    return type + (facts.length > 1 ? " \u00d7" + facts.length : "") + "\n" + cases.join(", ");
  }

  function status(text) {
    var s = el("network-status");
    if (s) { s.textContent = text; }
  }

  function Explorer(container) {
    this.container = container;
    this.centre = container.dataset.entity;
    this.perNode = parseInt(container.dataset.perNode || "50", 10);
    this.entities = {};      // id -> node as the API sent it
    this.facts = {};         // fact id -> edge as the API sent it
    this.fetched = {};       // id -> how many neighbours were fetched (expand paging)
    this.capped = {};        // id -> true when its neighbours were cut at per_node
    this.nodes = new vis.DataSet();
    this.edges = new vis.DataSet();
    this.filters = { kinds: {}, types: {}, cases: {}, from: "", to: "" };
    this.measure = "degree";
    this.network = null;
  }

  Explorer.prototype.start = function (data) {
    var self = this;
    this.t0 = performance.now();
    this.serverLayout = data.nodes.length > 0 && data.nodes[0].x !== undefined;
    this.big = data.nodes.length > BIG_VIEW;
    (data.capped || []).forEach(function (id) { self.capped[id] = true; self.fetched[id] = self.perNode; });
    this.add(data, null);
    this.buildFilters();
    var nodesView = new vis.DataView(this.nodes, { filter: function (n) { return self.nodeShown(n); } });
    var edgesView = new vis.DataView(this.edges, { filter: function (e) { return self.edgeShown(e); } });
    this.nodesView = nodesView;
    this.edgesView = edgesView;
    var options = {
      layout: { randomSeed: 7, improvedLayout: !this.serverLayout && data.nodes.length <= 150 },
      interaction: { hover: !this.big, tooltipDelay: 150, keyboard: false,
                     hideEdgesOnDrag: this.big, hideEdgesOnZoom: this.big, navigationButtons: false },
      nodes: { scaling: { min: 10, max: 42, label: { enabled: false } }, font: { size: 13 } },
      edges: { smooth: this.big ? false : { type: "continuous" },
               font: { size: 10, color: "#3b4754", strokeWidth: 3, strokeColor: "#ffffff", multi: false },
               arrows: { to: { enabled: !this.big, scaleFactor: 0.5 } } },
      physics: this.serverLayout ? false : {
        solver: "forceAtlas2Based",
        forceAtlas2Based: { gravitationalConstant: -80, springLength: 140, avoidOverlap: 0.8 },
        stabilization: { iterations: 300, fit: true }
      }
    };
    this.container.classList.add("drawing");
    var network = this.network = new vis.Network(this.container, { nodes: nodesView, edges: edgesView }, options);
    // vis-network's own frame takes a tab stop of its own: the container is the one stop.
    Array.prototype.forEach.call(this.container.querySelectorAll("[tabindex]"), function (inner) {
      inner.setAttribute("tabindex", "-1");
    });
    var finish = function () {
      // Re-applying options walks every link: only needed when physics ran.
      if (!self.serverLayout) { network.setOptions({ physics: false }); }
      network.fit();
      network.once("afterDrawing", function () { self.still(); });
      network.redraw();
    };
    if (this.serverLayout) { finish(); } else { network.once("stabilizationIterationsDone", finish); }
    network.on("selectNode", function (p) { self.select(p.nodes[0]); });
    network.on("deselectNode", function () { self.select(null); });
    network.on("doubleClick", function (p) { if (p.nodes.length) { self.expand(p.nodes[0]); } });
    this.detailed = false;
    this.container.dataset.detail = "far";
    // After any change of zoom or position (wheel, drag, fit, focus), never inside a frame.
    network.on("afterDrawing", function () {
      if (!self.big && self.edgeLabels) { return; }
      var scale = network.getScale(), at = network.getViewPosition();
      if ((scale >= DETAIL_SCALE) !== self.detailed) {
        window.setTimeout(function () { self.levelOfDetail(); }, 0);
        return;
      }
      var where = [scale.toFixed(3), Math.round(at.x), Math.round(at.y)].join(" ");
      if (self.detailed && where !== self.where) {
        self.where = where;
        window.clearTimeout(self.resting);
        self.resting = window.setTimeout(function () { self.labelNear(); }, REST_MS);
      }
    });
    this.wireControls();
    return network;
  };

  /* A large view drops arrows while zoomed out (tens of thousands of arrow heads a few pixels
   * wide cost most of a frame and show nothing) and draws them again once zoomed in. Links
   * take the arrows option from the view's options, so switching it is one setOptions. */
  Explorer.prototype.levelOfDetail = function () {
    var near = this.network.getScale() >= DETAIL_SCALE;
    if (near === this.detailed) { return; }
    this.detailed = near;
    if (this.big) { this.network.setOptions({ edges: { arrows: { to: { enabled: near } } } }); }
    this.container.dataset.detail = near ? "near" : "far";
    this.where = null;
    if (!near) { this.labelNear(); }
  };

  /* A view too large to label every link labels those of the nodes in sight once zoomed in
   * (as text on the canvas, like every label), and drops them again when zoomed out. */
  Explorer.prototype.labelNear = function () {
    if (this.edgeLabels || !this.network) { return; }
    var self = this, network = this.network, want = {}, count = 0;
    if (this.detailed) {
      var a = network.DOMtoCanvas({ x: 0, y: 0 });
      var b = network.DOMtoCanvas({ x: this.container.clientWidth, y: this.container.clientHeight });
      var ids = this.nodesView.getIds(), at = network.getPositions(ids);
      for (var i = 0; i < ids.length && count < NEAR_LABELS_MAX; i += 1) {
        var p = at[ids[i]];
        if (!p || p.x < a.x || p.x > b.x || p.y < a.y || p.y > b.y) { continue; }
        network.getConnectedEdges(ids[i]).forEach(function (id) {
          var e = count < NEAR_LABELS_MAX && !want[id] ? self.edgesView.get(id) : null;
          if (e && !e.placeholder) { want[id] = e; count += 1; }
        });
      }
    }
    var had = this.nearLabels || {}, changes = [];
    Object.keys(had).forEach(function (id) { if (!want[id]) { changes.push({ id: id, label: "" }); } });
    Object.keys(want).forEach(function (id) {
      if (!had[id]) { changes.push({ id: id, label: linkLabel(want[id].type, want[id].facts) }); }
    });
    this.nearLabels = want;
    if (changes.length) { this.edges.update(changes); }
    this.container.dataset.nearLabels = String(count);
  };

  Explorer.prototype.still = function () {
    var c = this.container;
    c.classList.remove("drawing");
    c.dataset.drawnMs = String(Math.round(performance.now()));
    c.dataset.drawMs = String(Math.round(performance.now() - this.t0));
    c.classList.add("ready");
    this.report();
  };

  /* Merge a view (network or expand answer) into the data sets; ``around`` places new nodes
   * next to the node that was expanded. */
  Explorer.prototype.add = function (data, around) {
    var self = this, newNodes = [], fresh = [];
    data.nodes.forEach(function (n) {
      var had = self.entities[n.id];
      self.entities[n.id] = had ? Object.assign(had, { degree: n.degree, more: n.more }) : n;
      if (!had) { fresh.push(n.id); newNodes.push(self.visNode(n)); }
    });
    if (around && fresh.length) { this.place(around, fresh, newNodes); }
    this.nodes.add(newNodes);
    data.edges.forEach(function (e) { self.facts[e.id] = e; });
    this.rebuildEdges();
    this.recount();
    return fresh;
  };

  Explorer.prototype.visNode = function (n) {
    var k = KINDS[n.kind] || { colour: "#95a5a6", shape: "dot" };
    var node = {
      id: n.id, label: n.label, group: n.kind, shape: k.shape,
      color: { background: k.colour, border: n.id === this.centre ? "#111820" : k.colour,
               highlight: { background: k.colour, border: "#111820" } },
      borderWidth: n.id === this.centre ? 4 : 1,
      font: { color: n.kind === "case" ? "#ffffff" : "#1d2733" },
      title: tooltip([n.label, KINDS[n.kind] ? KINDS[n.kind].name : n.kind,
                      "cases: " + n.cases.join(", ")].concat(n.more ? [n.more + " more links not shown"] : []))
    };
    if (n.x !== undefined) { node.x = n.x; node.y = n.y; }
    if (n.kind === "case") { node.font.color = "#ffffff"; }
    node.value = this.valueOf(n);
    return node;
  };

  Explorer.prototype.valueOf = function (n) {
    if (this.measure === "cases") { return n.cases.length; }
    if (this.measure === "links") { return this.linksInView ? (this.linksInView[n.id] || 0) : 1; }
    if (this.measure === "betweenness") { return n.value || 0; }
    return n.degree || 1;
  };

  /* New neighbours on arcs beyond the expanded node, facing away from the view's centre. */
  Explorer.prototype.place = function (around, ids, newNodes) {
    var positions = this.network ? this.network.getPositions([around]) : {};
    var at = positions[around] || { x: 0, y: 0 };
    var c = this.network ? this.network.getPositions([this.centre])[this.centre] || { x: 0, y: 0 } : { x: 0, y: 0 };
    var away = Math.atan2(at.y - c.y, at.x - c.x);
    if (at.x === c.x && at.y === c.y) { away = 0; }
    var perRing = 24, spread = Math.PI * 1.2;
    newNodes.forEach(function (node, i) {
      var ring = Math.floor(i / perRing), inRing = Math.min(perRing, newNodes.length - ring * perRing);
      var angle = away - spread / 2 + spread * ((i % perRing) + 0.5) / inRing;
      var r = 170 + ring * 90;
      node.x = at.x + r * Math.cos(angle);
      node.y = at.y + r * Math.sin(angle);
    });
  };

  /* One drawn link per (from, to, type), labelled with its type and cases; each fact stays
   * listed in its tooltip. Placeholder "N more, expand" nodes follow the capped nodes. */
  Explorer.prototype.rebuildEdges = function () {
    var self = this, groups = {}, order = [];
    Object.keys(this.facts).forEach(function (id) {
      var e = self.facts[id];
      if (!self.entities[e.source] || !self.entities[e.target]) { return; }
      var key = e.source + "\u0000" + e.target + "\u0000" + e.type;
      if (!groups[key]) {
        groups[key] = { id: key, from: e.source, to: e.target, type: e.type, facts: [] };
        order.push(key);
      }
      groups[key].facts.push(e);
    });
    var labels = Object.keys(this.facts).length <= EDGE_LABELS_MAX;
    // Only links that are new or have new facts are (re)made: a view of tens of thousands of
    // links that gains a few on expand must not be drawn from scratch. A change of labelling
    // (the view grew past EDGE_LABELS_MAX) remakes them all.
    var before = labels === this.edgeLabels ? this.drawnFacts || {} : {};
    var fromScratch = labels !== this.edgeLabels || !this.drawnFacts;
    this.edgeLabels = labels;
    this.where = null;
    var links = {}, now = {};
    var drawn = [];
    order.forEach(function (k) {
      var g = groups[k];
      links[g.from] = (links[g.from] || 0) + 1;
      links[g.to] = (links[g.to] || 0) + 1;
      now[k] = g.facts.length;
      if (before[k] !== g.facts.length) { drawn.push(g); }
    });
    drawn = drawn.map(function (g) {
      var fromCase = g.from.indexOf("case:") === 0;
      return {
        id: g.id, from: g.from, to: g.to, facts: g.facts, type: g.type,
        label: labels ? linkLabel(g.type, g.facts) : undefined,
        dashes: fromCase && !self.big,
        color: { color: fromCase ? "#b8c3ce" : "#55606c" },
        title: tooltip([g.type].concat(g.facts.map(function (f) {
          var when = f.first ? ", " + f.first + (f.last && f.last !== f.first ? " to " + f.last : "") : "";
          return "case " + f.case_id + ", source " + f.source_ref + when;
        })))
      };
    });
    this.linksInView = links;
    var pairs = {}, nb = {};
    order.forEach(function (k) {
      var g = groups[k], a = g.from < g.to ? g.from : g.to, b = g.from < g.to ? g.to : g.from;
      var key = a + "\u0000" + b;
      if (!pairs[key]) { pairs[key] = true; nb[a] = (nb[a] || 0) + 1; nb[b] = (nb[b] || 0) + 1; }
    });
    this.nbCount = nb;
    Object.keys(this.entities).forEach(function (id) {
      var more = self.moreOf(id);
      if (more > 0 && self.capped[id]) {
        now["more-edge:" + id] = 0;
        if (before["more-edge:" + id] === undefined) {
          drawn.push({ id: "more-edge:" + id, from: id, to: "more:" + id, dashes: !self.big, placeholder: true,
                       arrows: { to: { enabled: false } }, color: { color: "#9aa5b1" } });
        }
      }
      self.syncPlaceholder(id, more);
    });
    this.drawnFacts = now;
    if (fromScratch) {
      this.nearLabels = {};
      this.edges.clear();
      this.edges.add(drawn);
      return;
    }
    // Links with new facts are taken out and added again (an update would merge their
    // tooltip element into a plain object), as are links whose ends left the view.
    var out = Object.keys(before).filter(function (id) {
      return now[id] === undefined || (now[id] !== before[id] && id.indexOf("more-edge:") !== 0);
    });
    var near = this.nearLabels || {};
    out.forEach(function (id) { delete near[id]; });
    if (out.length) { this.edges.remove(out); }
    if (drawn.length) { this.edges.add(drawn); }
  };

  Explorer.prototype.moreOf = function (id) {
    var n = this.entities[id];
    if (!n || n.degree === undefined) { return 0; }
    return Math.max(n.degree - ((this.nbCount && this.nbCount[id]) || 0), 0);
  };

  Explorer.prototype.syncPlaceholder = function (id, more) {
    var pid = "more:" + id, exists = this.nodes.get(pid);
    if (!(more > 0 && this.capped[id])) {
      if (exists) { this.nodes.remove(pid); }
      return;
    }
    var label = more + " more, expand";
    if (exists) {
      if (exists.label !== label) { this.nodes.update({ id: pid, label: label }); }
      return;
    }
    var node = { id: pid, label: label, shape: "box", placeholder: true, parent: id,
                 color: { background: "#ffffff", border: "#55606c" }, shapeProperties: { borderDashes: [4, 3] },
                 font: { color: "#1d2733", size: 12 }, title: tooltip([label, "double-click or press Expand"]) };
    var pos = this.network ? this.network.getPositions([id])[id] : null;
    var n = this.entities[id];
    if (pos) { node.x = pos.x + 60; node.y = pos.y - 60; } else if (n.x !== undefined) { node.x = n.x + 60; node.y = n.y - 60; }
    this.nodes.add(node);
  };

  Explorer.prototype.recount = function () {
    var c = this.container;
    c.dataset.nodeCount = String(Object.keys(this.entities).length);
    c.dataset.edgeCount = String(Object.keys(this.facts).length);
    c.dataset.layout = this.serverLayout ? "server" : "browser";
  };

  Explorer.prototype.report = function () {
    var total = Object.keys(this.entities).length, shown = 0, self = this;
    if (this.nodesView) {
      this.nodesView.getIds().forEach(function (id) { if (!self.nodes.get(id).placeholder) { shown += 1; } });
    } else { shown = total; }
    this.container.dataset.visibleCount = String(shown);
    var text = (shown === total ? total + " nodes" : shown + " of " + total + " nodes shown") +
      ", " + Object.keys(this.facts).length + " links";
    var capped = Object.keys(this.capped).filter(function (id) { return self.moreOf(id) > 0; }).length;
    if (capped) { text += "; " + capped + " busy node" + (capped > 1 ? "s" : "") + " capped (\u201cN more, expand\u201d)"; }
    if (!this.edgeLabels) { text += "; links labelled when zoomed in (large view)"; }
    if (this.serverLayout) { text += "; laid out on the server"; }
    if (this.container.dataset.drawMs) { text += "; drawn in " + this.container.dataset.drawMs + " ms"; }
    status(text);
  };

  /* -- filters -------------------------------------------------------------------------------- */

  Explorer.prototype.edgeFilterActive = function () {
    var f = this.filters;
    return Object.keys(f.types).some(function (k) { return !f.types[k]; }) ||
      Object.keys(f.cases).some(function (k) { return !f.cases[k]; }) || f.from || f.to;
  };

  Explorer.prototype.factShown = function (fact) {
    var f = this.filters;
    if (f.types[fact.type] === false || f.cases[fact.case_id] === false) { return false; }
    if ((f.from || f.to) && fact.first) {
      if (f.from && (fact.last || fact.first) < f.from) { return false; }
      if (f.to && fact.first > f.to) { return false; }
    }
    return true;
  };

  Explorer.prototype.edgeShown = function (e) {
    if (e.placeholder) { return true; }
    var self = this;
    return e.facts.some(function (fact) { return self.factShown(fact); });
  };

  Explorer.prototype.nodeShown = function (n) {
    if (n.placeholder) { return this.nodeShown(this.nodes.get(n.parent) || {}); }
    var entity = this.entities[n.id];
    if (!entity) { return false; }
    var f = this.filters;
    if (f.kinds[entity.kind] === false) { return false; }
    if (entity.kind === "case" && f.cases[entity.label] === false) { return false; }
    if (entity.kind !== "case" && entity.cases.length &&
        entity.cases.every(function (c) { return f.cases[c] === false; })) { return false; }
    if (n.id === this.centre || !this.edgeFilterActive()) { return true; }
    return !!(this.shownEnds && this.shownEnds[n.id]);
  };

  Explorer.prototype.applyFilters = function () {
    var self = this, ends = {};
    if (this.edgeFilterActive()) {
      Object.keys(this.facts).forEach(function (id) {
        var fact = self.facts[id];
        if (self.factShown(fact)) { ends[fact.source] = true; ends[fact.target] = true; }
      });
    }
    this.shownEnds = ends;
    this.nodesView.refresh();
    this.edgesView.refresh();
    this.report();
  };

  /* A list of filter checkboxes, rebuilt after every expansion: each box shows the filter's
   * own state (a kind the user hid stays unticked), and an entry with nothing to filter (a
   * kind the view does not hold: the legend names every kind) is greyed and cannot be
   * ticked off. */
  function checkList(ul, entries, state, onChange, swatches) {
    if (!ul) { return; }
    ul.textContent = "";
    entries.forEach(function (entry) {
      var li = document.createElement("li");
      var label = document.createElement("label");
      var box = document.createElement("input");
      box.type = "checkbox";
      box.checked = state[entry.value] !== false;
      box.disabled = !!entry.empty;
      if (entry.empty) { li.className = "empty"; }
      box.value = entry.value;
      box.addEventListener("change", function () { onChange(entry.value, box.checked); });
      label.appendChild(box);
      if (swatches) {
        var sw = document.createElement("span");
        sw.className = "swatch swatch-" + entry.value;
        sw.setAttribute("aria-hidden", "true");
        label.appendChild(sw);
      }
      var text = document.createElement("span");
      text.className = "legend-text";
      text.textContent = entry.text;
      label.appendChild(text);
      li.appendChild(label);
      ul.appendChild(li);
    });
  }

  Explorer.prototype.buildFilters = function () {
    var self = this, kinds = {}, types = {}, cases = {};
    Object.keys(this.entities).forEach(function (id) {
      var n = self.entities[id];
      kinds[n.kind] = (kinds[n.kind] || 0) + 1;
      n.cases.forEach(function (c) { cases[c] = true; });
    });
    Object.keys(this.facts).forEach(function (id) {
      var f = self.facts[id];
      types[f.type] = (types[f.type] || 0) + 1;
      cases[f.case_id] = true;
    });
    var f = this.filters;
    checkList(el("network-legend"), KIND_ORDER.map(function (k) {
      return { value: k, text: KINDS[k].name + " (" + (kinds[k] || 0) + ")", empty: !kinds[k] };
    }), f.kinds, function (v, on) { f.kinds[v] = on; self.applyFilters(); }, true);
    checkList(el("network-types"), Object.keys(types).sort().map(function (t) {
      return { value: t, text: t + " (" + types[t] + ")" };
    }), f.types, function (v, on) { f.types[v] = on; self.applyFilters(); }, false);
    checkList(el("network-cases"), Object.keys(cases).sort().map(function (c) {
      return { value: c, text: c };
    }), f.cases, function (v, on) { f.cases[v] = on; self.applyFilters(); }, false);
  };

  Explorer.prototype.wireControls = function () {
    var self = this, f = this.filters;
    ["from", "to"].forEach(function (which) {
      var input = el("filter-" + which);
      if (input) { input.addEventListener("change", function () { f[which] = input.value; self.applyFilters(); }); }
    });
    var reset = el("filter-reset");
    if (reset) {
      reset.addEventListener("click", function () {
        f.kinds = {}; f.types = {}; f.cases = {}; f.from = ""; f.to = "";
        document.querySelectorAll(".filters input[type=checkbox]").forEach(function (b) { b.checked = true; });
        ["filter-from", "filter-to"].forEach(function (id) { if (el(id)) { el(id).value = ""; } });
        self.applyFilters();
      });
    }
    var measure = el("network-measure");
    if (measure) { measure.addEventListener("change", function () { self.resize(measure.value); }); }
    var expand = el("details-expand");
    if (expand) { expand.addEventListener("click", function () { if (self.selected) { self.expand(self.selected); } }); }
    // From the keyboard: arrow keys step through the shown nodes (by label), Enter expands the
    // selected one, Escape clears the selection.
    this.container.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter" && self.selected) { ev.preventDefault(); self.expand(self.selected); return; }
      if (ev.key === "Escape" && self.selected) {
        ev.preventDefault(); self.network.unselectAll(); self.select(null); return;
      }
      var step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[ev.key];
      if (!step) { return; }
      ev.preventDefault();
      var ids = self.nodesView.getIds().filter(function (id) { return self.entities[id]; });
      if (!ids.length) { return; }
      ids.sort(function (a, b) { return self.entities[a].label.localeCompare(self.entities[b].label); });
      var at = ids.indexOf(self.selected);
      var next = ids[at < 0 ? (step > 0 ? 0 : ids.length - 1) : (at + step + ids.length) % ids.length];
      self.network.selectNodes([next]);
      self.select(next);
      status((ids.indexOf(next) + 1) + " of " + ids.length + ": " + self.entities[next].label +
             " (Enter expands)");
    });
  };

  /* -- measures -------------------------------------------------------------------------------- */

  Explorer.prototype.resize = function (measure) {
    var self = this;
    this.measure = measure;
    var apply = function () {
      self.nodes.update(Object.keys(self.entities).map(function (id) {
        return { id: id, value: self.valueOf(self.entities[id]) };
      }));
    };
    if (measure !== "betweenness") { apply(); return; }
    var url = this.container.dataset.url;
    if (!url) { return; }
    status("Computing betweenness on the server…");
    getJSON(url + (url.indexOf("?") < 0 ? "?" : "&") + "measure=betweenness").then(function (data) {
      data.nodes.forEach(function (n) { if (self.entities[n.id]) { self.entities[n.id].value = n.value; } });
      apply();
      self.report();
    }).catch(function (err) { status("Betweenness could not be computed: " + err.message); });
  };

  /* -- selection and expansion ------------------------------------------------------------------ */

  Explorer.prototype.select = function (id) {
    var node = id ? this.nodes.get(id) : null;
    if (node && node.placeholder) { id = node.parent; }
    this.selected = id;
    var n = id ? this.entities[id] : null;
    var title = el("details-title"), list = el("details-list"), hint = el("details-hint");
    var expand = el("details-expand"), open = el("details-open");
    if (!title || !list) { return; }
    list.textContent = "";
    if (!n) {
      title.textContent = "Nothing selected";
      if (hint) { hint.hidden = false; }
      if (expand) { expand.disabled = true; }
      if (open) { open.hidden = true; }
      return;
    }
    title.textContent = n.label;
    if (hint) { hint.hidden = true; }
    var more = this.moreOf(n.id);
    [["Kind", KINDS[n.kind] ? KINDS[n.kind].name : n.kind], ["Cases", n.cases.join(", ")],
     ["Links in your cases", n.degree === undefined ? "?" : String(n.degree)],
     ["Not shown", String(more)]].forEach(function (row) {
      var dt = document.createElement("dt"), dd = document.createElement("dd");
      dt.textContent = row[0];
      dd.textContent = row[1];
      list.appendChild(dt);
      list.appendChild(dd);
    });
    if (expand) {
      expand.disabled = !(more > 0) || !this.container.dataset.expandBase;
      expand.textContent = more > 0 ? "Expand (" + Math.min(more, this.perNode) + " of " + more + ")" : "Nothing more to expand";
    }
    var base = this.container.dataset.entityBase;
    if (open && base) { open.href = base + encodeURIComponent(n.id); open.hidden = false; }
  };

  Explorer.prototype.expand = function (id) {
    var node = this.nodes.get(id);
    if (node && node.placeholder) { id = node.parent; }
    var base = this.container.dataset.expandBase, self = this;
    if (!base || !this.entities[id] || this.busy) { return; }
    var offset = this.fetched[id] || 0;
    this.busy = true;
    status("Expanding " + this.entities[id].label + "…");
    getJSON(base + encodeURIComponent(id) + "/expand?limit=" + this.perNode + "&offset=" + offset)
      .then(function (data) {
        self.fetched[id] = offset + self.perNode;
        self.capped[id] = data.more > 0;
        var fresh = self.add(data, id);
        self.container.dataset.expanded = String(parseInt(self.container.dataset.expanded || "0", 10) + 1);
        self.buildFilters();
        self.applyFilters();
        self.busy = false;
        self.select(id);
        status(self.entities[id].label + ": " + fresh.length + " new node" + (fresh.length === 1 ? "" : "s") +
               (data.more > 0 ? ", " + data.more + " more to expand" : ""));
        self.report();
      })
      .catch(function (err) { self.busy = false; status("Could not expand: " + err.message); });
  };

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        return r.json().then(function (body) {
          if (!r.ok) { throw new Error(body.error ? body.error.message : "HTTP " + r.status); }
          return body;
        });
      });
  }

  function start() {
    var container = el("network");
    if (!container) { return; }
    var explorer = new Explorer(container);
    container.casegraph = explorer;  // for the browser tests: positions, counts
    var inline = el("network-data");
    if (inline) {
      explorer.start(JSON.parse(inline.textContent));
      return;
    }
    status("Loading network…");
    var began = performance.now();
    getJSON(container.dataset.url)
      .then(function (data) {
        container.dataset.fetchMs = String(Math.round(performance.now() - began));
        if (data.layout) { container.dataset.layoutMs = String(data.layout.ms); }
        explorer.start(data);
      })
      .catch(function (err) { status("The network could not be drawn: " + err.message); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
