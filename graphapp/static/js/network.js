/* Draw an entity's network with vis-network.
 *
 * Data comes as JSON: fetched from the element's data-url in the app, or read from the
 * #network-data element in an offline export. Labels and tooltips are plain text: tooltips
 * are DOM elements filled with textContent, never HTML strings.
 */
(function () {
  "use strict";

  var COLOURS = {
    case: "#6b7785", person: "#c0392b", phone: "#2471a3", address: "#7d6608",
    hotel: "#8e44ad", advert: "#16a085"
  };

  function tooltip(lines) {
    var div = document.createElement("div");
    div.className = "tip";
    div.textContent = lines.join("\n");
    return div;
  }

  /* One drawn link per (from, to, type); each fact stays listed in its tooltip. */
  function mergeParallel(edges) {
    var groups = {}, order = [];
    edges.forEach(function (e) {
      var key = e.source + "\u0000" + e.target + "\u0000" + e.type;
      if (!groups[key]) {
        groups[key] = { key: key, source: e.source, target: e.target, type: e.type, facts: [] };
        order.push(key);
      }
      groups[key].facts.push(e);
    });
    return order.map(function (k) { return groups[k]; });
  }

  function status(text) {
    var el = document.getElementById("network-status");
    if (el) { el.textContent = text; }
  }

  function draw(container, data) {
    var nodes = new vis.DataSet(data.nodes.map(function (n) {
      return {
        id: n.id, label: n.label, group: n.kind,
        shape: n.kind === "case" ? "box" : "dot",
        size: n.id === container.dataset.entity ? 22 : 14,
        color: COLOURS[n.kind] || "#95a5a6",
        font: { color: n.kind === "case" ? "#ffffff" : "#1d2733" },
        title: tooltip([n.label, n.kind, "cases: " + n.cases.join(", ")])
      };
    }));
    var edges = new vis.DataSet(mergeParallel(data.edges).map(function (g) {
      var fromCase = g.source.indexOf("case:") === 0;
      return {
        id: g.key, from: g.source, to: g.target, arrows: "to",
        label: fromCase ? "" : g.type + (g.facts.length > 1 ? " \u00d7" + g.facts.length : ""),
        dashes: fromCase,
        color: { color: fromCase ? "#b8c3ce" : "#55606c" },
        font: { size: 11, color: "#3b4754", strokeWidth: 3, strokeColor: "#ffffff" },
        title: tooltip([g.type].concat(g.facts.map(function (e) {
          return "case " + e.case_id + ", source " + e.source_ref;
        })))
      };
    }));
    var network = new vis.Network(container, { nodes: nodes, edges: edges }, {
      layout: { randomSeed: 7 },
      interaction: { hover: true, tooltipDelay: 150 },
      physics: {
        solver: "forceAtlas2Based",
        forceAtlas2Based: { gravitationalConstant: -80, springLength: 140, avoidOverlap: 0.8 },
        stabilization: { iterations: 300 }
      }
    });
    network.once("stabilizationIterationsDone", function () { network.setOptions({ physics: false }); });
    container.dataset.nodeCount = String(data.nodes.length);
    container.dataset.edgeCount = String(data.edges.length);
    status(data.nodes.length + " nodes, " + data.edges.length + " links" +
           (data.truncated ? " (truncated: not everything is shown)" : ""));
    var base = container.dataset.entityBase;
    if (base) {
      network.on("doubleClick", function (params) {
        if (params.nodes.length) {
          window.location.href = base + encodeURIComponent(params.nodes[0]);
        }
      });
    }
    container.classList.add("ready");
    return network;
  }

  function start() {
    var container = document.getElementById("network");
    if (!container) { return; }
    var inline = document.getElementById("network-data");
    if (inline) {
      draw(container, JSON.parse(inline.textContent));
      return;
    }
    status("Loading network…");
    fetch(container.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        return r.json().then(function (body) {
          if (!r.ok) { throw new Error(body.error ? body.error.message : "HTTP " + r.status); }
          return body;
        });
      })
      .then(function (data) { draw(container, data); })
      .catch(function (err) { status("The network could not be drawn: " + err.message); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
