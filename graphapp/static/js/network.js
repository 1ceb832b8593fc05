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
    var edges = new vis.DataSet(data.edges.map(function (e) {
      return {
        id: e.id, from: e.source, to: e.target, label: e.type, arrows: "to",
        font: { size: 9, color: "#55606c", strokeWidth: 0 },
        title: tooltip([e.type, "case " + e.case_id, "source " + e.source_ref])
      };
    }));
    var network = new vis.Network(container, { nodes: nodes, edges: edges }, {
      interaction: { hover: true, tooltipDelay: 150 },
      physics: { stabilization: { iterations: 200 } }
    });
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
