/* geokit: the incident layer, drawn from columns (see geokit/maps/points.py).
 *
 * geokitIncidents(target, group, c, rows, labels, pane) puts one circle per incident into `target` (a
 * marker cluster, or a feature group) on its own canvas in `pane`; c holds the incidents as columns
 * (coordinates and day numbers as integers, repeated text stored once and coded), rows and labels the
 * popup's fields. Every string in c arrives escaped. group.geokitShow(first, last) shows the incidents
 * of days first..last (day numbers since 1970), or all of them with null. */
window.geokitIncidents = function (target, group, c, rows, labels, pane) {
  'use strict';
  var n = c.x.length, days = new Array(n), d = 0, i;
  for (i = 0; i < n; i++) { d += c.day ? c.day[i] : 0; days[i] = d; }
  function value(i, key) {
    if (key === 'date') { return c.day ? new Date(days[i] * 864e5).toISOString().slice(0, 10) : ''; }
    var values = c[key + '_values'], v;
    if (values) { v = c[key] ? values[c[key][i]] : values[0]; }
    else { v = c[key + '_prefix'] ? c[key + '_prefix'][0] + c[key][i] : c[key][i]; }
    return v === null || v === undefined ? '' : v;
  }
  function properties(i) {
    var p = {};
    rows.forEach(function (k) {
      if (c[k] !== undefined || c[k + '_values'] !== undefined || k === 'date') { p[k] = value(i, k); }
    });
    return p;
  }
  function popup(layer) {
    var i = layer.geokitIndex, html = '<table style="font-size:12px">';
    rows.forEach(function (k, j) {
      html += '<tr><th style="text-align:left;padding-right:6px">' + labels[j] + '</th><td>' + value(i, k) +
        '</td></tr>';
    });
    return html + '</table>';
  }
  function tooltip(layer) {
    var i = layer.geokitIndex;
    return value(i, 'date') + ' ' + (c.event_type_values ? value(i, 'event_type') : '');
  }
  var Marker = L.CircleMarker.extend({
    getPopup: function () { this.geokitBind(); return this._popup; },
    openPopup: function (latlng) { this.geokitBind(); return L.CircleMarker.prototype.openPopup.call(this, latlng); },
    geokitBind: function () { if (!this._popup) { this.bindPopup(popup, {maxWidth: 360}); } }
  });
  Object.defineProperty(Marker.prototype, 'feature', {  // GeoJSON-like access, built on demand
    get: function () { return {type: 'Feature', properties: properties(this.geokitIndex)}; }
  });
  var renderer = L.canvas({padding: 0.5, pane: pane}), markers = new Array(n);
  for (i = 0; i < n; i++) {
    var m = new Marker([c.y[i] / 1e5, c.x[i] / 1e5], {renderer: renderer, pane: pane, radius: 5.5, color: '#ffffff',
      weight: 1.5, fill: true, fillColor: c.colors[c.event_type ? c.event_type[i] : 0], fillOpacity: 0.95});
    m.geokitIndex = i;
    markers[i] = m;
  }
  target.on('click', function (e) {
    if (e.layer && e.layer.geokitBind && !e.layer._popup) { e.layer.openPopup(e.latlng); }
  });
  target.on('mouseover', function (e) {
    var m = e.layer;
    if (m && m.geokitBind && !m._tooltip) { m.bindTooltip(tooltip); if (m._map) { m.openTooltip(e.latlng); } }
  });
  var pending = null;  // markers to show once the layer is on the map (a cluster off the map adds in O(n^2))
  function fill(chosen) {
    if (!target._map) { pending = chosen; return; }
    pending = null;
    if (target.clearLayers) { target.clearLayers(); }
    if (target.addLayers) { target.addLayers(chosen); } else { chosen.forEach(function (m) { target.addLayer(m); }); }
  }
  target.on('add', function () { if (pending) { fill(pending); } });
  group.geokitShow = function (first, last) {
    fill(first === null ? markers : markers.filter(function (m) {
      var day = days[m.geokitIndex]; return day >= first && day <= last;
    }));
  };
  fill(markers);
};

/* A cluster of incidents: a neutral dark bubble (no status colour), larger for more incidents. */
window.geokitClusterIcon = function (cluster) {
  'use strict';
  var n = cluster.getChildCount(), size = Math.round(26 + 8 * Math.log10(Math.max(n, 1)));
  return L.divIcon({html: '<div><span>' + n + '</span></div>', className: 'geokit-cluster',
    iconSize: L.point(size, size)});
};
