// The interactive context map: cytoscape.js draws the server's redacted map at the server's positions
// (a preset layout, so the same map always looks the same). The tables on the page carry the same content.
(function () {
  "use strict";

  var container = document.getElementById("context-map");
  var source = document.getElementById("context-map-data");
  if (!container || !source || typeof window.cytoscape !== "function") {
    return;
  }
  var elements = JSON.parse(source.textContent);

  var colours = {
    person: "#1d70b8",
    place: "#4c2c92",
    group: "#f47738",
    redacted: "#b1b4b6",
    text: "#0b0c0c",
    family: "#505a5f",
    peer: "#1d70b8",
    concern: "#d4351c",
    placeEdge: "#6f72af",
    groupEdge: "#f47738",
    protective: "#00703c",
    focus: "#ffdd00"
  };

  var style = [
    {
      selector: "node",
      style: {
        label: "data(label)",
        "font-family": "Arial, sans-serif",
        "font-size": 16,
        color: colours.text,
        "text-valign": "bottom",
        "text-margin-y": 4,
        "text-wrap": "ellipsis",
        "text-max-width": 180,
        "text-background-color": "#ffffff",
        "text-background-opacity": 0.8,
        "text-background-padding": 2,
        "min-zoomed-font-size": 7,
        width: 28,
        height: 28,
        "border-width": 2,
        "border-color": "#ffffff"
      }
    },
    { selector: "node.person", style: { shape: "ellipse", "background-color": colours.person } },
    { selector: "node.place", style: { shape: "round-rectangle", "background-color": colours.place } },
    { selector: "node.group", style: { shape: "hexagon", "background-color": colours.group, width: 32, height: 32 } },
    {
      selector: "node.redacted",
      style: { "background-color": colours.redacted, color: "#505a5f", "font-style": "italic", label: "Not shown" }
    },
    { selector: "node.centre", style: { width: 40, height: 40, "border-width": 4, "border-color": colours.text } },
    { selector: "node[href]", style: { "overlay-padding": 4 } },
    { selector: "node:selected", style: { "border-color": colours.focus, "border-width": 5 } },
    {
      selector: "edge",
      style: {
        width: 3,
        "curve-style": "bezier",
        "line-color": colours.family,
        "target-arrow-shape": "triangle",
        "target-arrow-color": colours.family,
        "arrow-scale": 0.7,
        label: "data(label)",
        "font-size": 12,
        color: "#505a5f",
        "text-rotation": "autorotate",
        "text-background-color": "#ffffff",
        "text-background-opacity": 0.8,
        "min-zoomed-font-size": 7
      }
    },
    { selector: "edge.family-peer", style: { "line-color": colours.peer, "target-arrow-color": colours.peer } },
    {
      selector: "edge.family-concern",
      style: { "line-color": colours.concern, "target-arrow-color": colours.concern, width: 3 }
    },
    { selector: "edge.family-place", style: { "line-color": colours.placeEdge, "target-arrow-color": colours.placeEdge } },
    { selector: "edge.family-group", style: { "line-color": colours.groupEdge, "target-arrow-color": colours.groupEdge } },
    {
      selector: "edge.protective",
      style: { "line-color": colours.protective, "target-arrow-color": colours.protective, "line-style": "dashed", width: 3 }
    },
    { selector: "edge.uncorroborated", style: { "line-style": "dotted", opacity: 0.75 } },
    { selector: "edge.redacted", style: { "line-color": colours.redacted, "target-arrow-color": colours.redacted } }
  ];

  var cy = window.cytoscape({
    container: container,
    elements: elements,
    style: style,
    layout: { name: "preset", fit: true, padding: 40 },
    minZoom: 0.2,
    maxZoom: 3,
    boxSelectionEnabled: false
  });

  cy.on("tap", "node", function (event) {
    var href = event.target.data("href");
    if (href) {
      window.location.assign(href);
    }
  });
  cy.on("mouseover", "node[href]", function () {
    container.classList.add("sc-context-map--pointer");
  });
  cy.on("mouseout", "node", function () {
    container.classList.remove("sc-context-map--pointer");
  });

  container.setAttribute("data-node-count", String(cy.nodes().length));
  container.setAttribute("data-edge-count", String(cy.edges().length));
  window.scContextMap = cy;
})();
