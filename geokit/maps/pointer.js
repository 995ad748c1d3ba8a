/* geokit: every layer answers a real pointer (issue #27).
 *
 * Leaflet draws each pane's vector layers on one canvas as large as the map, so the canvas of the top
 * pane takes every pointer event, and the roads, corridors, zones and towns on the canvases beneath never
 * see the mouse. Here every canvas of a geokit map ignores the pointer (CSS: .geokit-pointer canvas), and
 * the map's container looks, for each mouse move and click, for the topmost canvas that has a feature
 * under the pointer -- above whatever element the browser found there (a cluster bubble, a crossing) --
 * and hands the event to that canvas, as Leaflet would had the pointer reached it. */
(function () {
  'use strict';

  function paneZ(el, map) {
    // the z-index of the map pane holding el (-1 for the map itself)
    var top = map.getPane('mapPane');
    while (el && el !== map.getContainer()) {
      if (el.parentNode === top) { return parseInt(window.getComputedStyle(el).zIndex, 10) || 0; }
      el = el.parentNode;
    }
    return -1;
  }

  function hitOn(renderer, point) {
    var found = null;
    for (var order = renderer._drawFirst; order; order = order.next) {
      var layer = order.layer;
      if (layer.options.interactive && layer._containsPoint(point)) { found = layer; }
    }
    return found;
  }

  function Pointer(map) {
    this.map = map;
    this.canvases = [];
    var self = this, container = map.getContainer();
    L.DomUtil.addClass(container, 'geokit-pointer');
    map.on('layeradd', function (e) {
      if (e.layer instanceof L.Canvas && self.canvases.indexOf(e.layer) < 0) { self.canvases.push(e.layer); }
    });
    map.on('layerremove', function (e) {
      var i = self.canvases.indexOf(e.layer);
      if (i >= 0) { self.canvases.splice(i, 1); }
    });
    container.addEventListener('mousemove', function (e) { self.move(e); }, true);
    container.addEventListener('mouseleave', function (e) { self.out(e, null); }, true);
    ['click', 'dblclick', 'contextmenu'].forEach(function (type) {
      container.addEventListener(type, function (e) { self.click(e); }, true);
    });
  }

  Pointer.prototype.pick = function (e) {
    // the topmost canvas with a feature under the pointer, above the element the browser found there
    var map = this.map, floor = paneZ(e.target, map), point = map.mouseEventToLayerPoint(e);
    var ordered = this.canvases.filter(function (r) { return r._map && r._container; })
      .map(function (r) { return {r: r, z: paneZ(r._container, map)}; })
      .filter(function (c) { return c.z > floor; })
      .sort(function (a, b) { return b.z - a.z; });
    for (var i = 0; i < ordered.length; i++) {
      if (hitOn(ordered[i].r, point)) { return ordered[i].r; }
    }
    return null;
  };

  Pointer.prototype.out = function (e, keep) {
    this.canvases.forEach(function (r) { if (r !== keep && r._map) { r._handleMouseOut(e); } });
  };

  Pointer.prototype.move = function (e) {
    if (this.map.geokitPointerOff || (this.map.dragging && this.map.dragging.moving())) { return; }
    var chosen = this.pick(e);
    this.out(e, chosen);
    L.DomUtil[chosen ? 'addClass' : 'removeClass'](this.map.getContainer(), 'geokit-hover');
    if (chosen) { chosen._onMouseMove(e); }
  };

  Pointer.prototype.click = function (e) {
    // as on a canvas that had the pointer: the canvas fires the feature's event, the map ignores the DOM event
    // (Leaflet marks its canvases _leaflet_disable_events), so a popup just opened is not closed again
    if (this.map.geokitPointerOff) { return; }  // a tool (the distance measure) takes the clicks
    var chosen = this.pick(e);
    if (chosen) { chosen._onClick(e); e.stopPropagation(); }
  };

  L.Map.addInitHook(function () { this.geokitPointer = new Pointer(this); });
})();

/* A pane for one family of layers, made once, at its place in the stack. */
window.geokitPane = function (map, name, z) {
  var pane = map.getPane(name) || map.createPane(name);
  pane.style.zIndex = z;
  return pane;
};
