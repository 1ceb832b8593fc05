/* Graphs of the path finder, the cross-case report, the detectors and the
 * network analysis pages.
 *
 * Each graph is an element with class "explore-graph" and data-source naming a
 * <script type="application/json"> element that holds {"nodes": [...], "edges": [...]} in the
 * shape of the API; data-mode "analysis" sizes nodes by betweenness and colours them by
 * community, "paths" draws the path nodes in path order from left to right. Every label and
 * tooltip is plain text (vis-network draws labels on a canvas; tooltips are DOM elements
 * filled with textContent): nothing here goes through innerHTML.
 *
 * Their tables sort through static/js/sortable.js.
 */
(function () {
  "use strict";

  var KIND_COLOURS = {
    person: "#c0392b", phone: "#2471a3", address: "#7d6608", hotel: "#8e44ad",
    advert: "#16a085", case: "#6b7785"
  };
  var KIND_SHAPES = {
    person: "dot", phone: "diamond", address: "square", hotel: "triangle", advert: "star",
    case: "box"
  };
  var PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
                 "#7f7f7f", "#bcbd22", "#17becf"];

  function tooltip(lines) {
    var div = document.createElement("div");
    lines.forEach(function (line) {
      var p = document.createElement("div");
      p.textContent = line;
      div.appendChild(p);
    });
    return div;
  }

  function draw(el) {
    var source = document.getElementById(el.getAttribute("data-source"));
    if (!source || typeof vis === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var mode = el.getAttribute("data-mode") || "";
    var maxValue = 0;
    data.nodes.forEach(function (n) { maxValue = Math.max(maxValue, n.betweenness || 0); });
    var nodes = data.nodes.map(function (n, i) {
      var colour = KIND_COLOURS[n.kind] || "#555";
      var lines = [n.kind + ": " + n.label];
      if (n.cases && n.cases.length) { lines.push("cases: " + n.cases.join(", ")); }
      var node = { id: n.id, label: n.label, shape: KIND_SHAPES[n.kind] || "dot",
                   color: colour, title: null, font: { size: 14 } };
      if (mode === "analysis" && n.community) {
        node.color = PALETTE[(n.community - 1) % PALETTE.length];
        node.value = maxValue ? 1 + 30 * (n.betweenness || 0) / maxValue : 5;
        node.shape = KIND_SHAPES[n.kind] === "box" ? "box" : (n.articulation ? "star" : "dot");
        lines.push("community " + n.community + ", betweenness " + n.betweenness +
                   ", degree " + n.degree + (n.articulation ? ", broker" : ""));
      }
      if (mode === "paths" && n.x !== undefined) { node.x = n.x; node.y = n.y; node.fixed = true; }
      node.title = tooltip(lines);
      return node;
    });
    var edges = data.edges.map(function (e) {
      var label = e.type + (e.shared ? " (" + e.shared + ")" : "");
      var lines = [label];
      if (e.case_id) { lines.push("case " + e.case_id + (e.source_ref ? ", " + e.source_ref : "")); }
      if (e.by_kind) {
        Object.keys(e.by_kind).forEach(function (k) { lines.push(k + ": " + e.by_kind[k]); });
      }
      return { id: e.id, from: e.source, to: e.target, label: mode === "analysis" ? "" : label,
               title: tooltip(lines), arrows: e.type === "SHARES" ? "" : "to",
               width: e.shared ? Math.min(1 + e.shared, 10) : 1,
               color: { color: e.bridge ? "#d62728" : "#8a96a3" },
               font: { size: 11, align: "middle" } };
    });
    var options = {
      physics: mode === "paths" ? false : { stabilization: { iterations: 300 } },
      interaction: { hover: true, tooltipDelay: 150 },
      nodes: { scaling: { min: 8, max: 40 } }
    };
    var network = new vis.Network(el, { nodes: new vis.DataSet(nodes),
                                        edges: new vis.DataSet(edges) }, options);
    el.network = network;
    el.setAttribute("data-node-count", String(nodes.length));
    el.setAttribute("data-edge-count", String(edges.length));
    function ready() { el.classList.add("ready"); }
    if (mode === "paths") { ready(); } else {
      network.once("stabilizationIterationsDone", function () {
        network.setOptions({ physics: false });
        ready();
      });
      window.setTimeout(ready, 4000);
    }
    network.on("doubleClick", function (params) {
      if (params.nodes.length === 1 && el.getAttribute("data-entity-base")) {
        window.location.href = el.getAttribute("data-entity-base") +
          encodeURIComponent(params.nodes[0]);
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll(".explore-graph"), draw);
  });
}());
