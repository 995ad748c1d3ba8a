/* geokit: the page around a corridor map (see geokit/maps/page.py). Python passes these functions data
 * as JavaScript values only (every string escaped), and the names of the map's layers. */

/* A full-screen button using the browser's Fullscreen API (no plugin to download). */
window.geokitFullscreen = function (map) {
  'use strict';
  var Full = L.Control.extend({
    options: {position: 'topleft'},
    onAdd: function () {
      var a = L.DomUtil.create('a', 'leaflet-bar geokit-fullscreen');
      a.href = '#'; a.title = 'Full screen'; a.setAttribute('role', 'button');
      a.innerHTML = '<svg width="16" height="16" viewBox="0 0 16 16" style="vertical-align:middle">' +
        '<path d="M1 6V1h5M10 1h5v5M15 10v5h-5M6 15H1v-5" fill="none" stroke="#333" stroke-width="2"/></svg>';
      L.DomEvent.on(a, 'click', function (e) {
        L.DomEvent.preventDefault(e);
        var el = map.getContainer();
        if (document.fullscreenElement) { document.exitFullscreen(); }
        else if (el.requestFullscreen) { el.requestFullscreen(); }
      });
      return a;
    }
  });
  new Full().addTo(map);
};

/* Minor towns, their labels and road numbers from zoom 8 on; a label that overlaps a more important one
 * already shown is hidden. */
window.geokitCloseUp = function (map, closeUp) {
  'use strict';
  function declutter() {
    var labels = Array.from(document.querySelectorAll('.geokit-label'));
    labels.forEach(function (l) { l.style.visibility = ''; });
    labels.sort(function (a, b) {  // more important first; among equals, more people first
      return (+a.dataset.rank) - (+b.dataset.rank) || (+b.dataset.people || 0) - (+a.dataset.people || 0);
    });
    var placed = [];
    labels.forEach(function (l) {
      var r = l.getBoundingClientRect();
      if (!r.width) { return; }
      var hit = placed.some(function (p) {
        return r.left < p.right && r.right > p.left && r.top < p.bottom && r.bottom > p.top;
      });
      if (hit) { l.style.visibility = 'hidden'; } else { placed.push(r); }
    });
  }
  function toggle() {
    closeUp.forEach(function (g) { if (map.getZoom() >= 8) { map.addLayer(g); } else { map.removeLayer(g); } });
    setTimeout(declutter, 0);
  }
  map.on('zoomend', toggle);
  map.on('moveend', function () { setTimeout(declutter, 0); });
  toggle();
};

/* The slider: steps[i] is a step's label, layers.groups[i] its layers; "all" (index 0) shows the whole
 * period. See add_time_slider in geokit/maps/page.py. */
window.geokitSlider = function (map, data, layers) {
  'use strict';
  var labels = ['all'].concat(data.steps);
  var input = document.getElementById('geokit-slider-input');
  var period = document.getElementById('geokit-title-period');
  var whole = period ? period.textContent : '';
  function show(i) {
    var chosen = labels[i];
    document.getElementById('geokit-slider-label').textContent = chosen === 'all' ? data.all : chosen;
    if (period) {
      period.textContent = chosen === 'all' ? whole : data.word + ' ' + chosen + ': ' + data.stepNote;
    }
    var on = new Set(), every = new Set();
    layers.groups.forEach(function (groups, j) {
      groups.forEach(function (g) {
        every.add(g);
        if (j === i - 1 || (i === 0 && layers.stepOnly.indexOf(g) < 0)) { on.add(g); }
      });
    });
    layers.allOnly.forEach(function (g) { every.add(g); if (i === 0) { on.add(g); } });
    layers.filtered.forEach(function (g) {
      var r = data.ranges[chosen];
      if (r) { g.geokitShow(r[0], r[1]); } else { g.geokitShow(null, null); }
    });
    layers.stepped.forEach(function (g) { g.geokitStep(i === 0 ? -1 : i - 1); });
    every.forEach(function (g) {  // each layer once, in the order they were drawn
      if (on.has(g)) { map.addLayer(g); } else { map.removeLayer(g); }
    });
  }
  input.addEventListener('input', function () { show(parseInt(input.value, 10)); });
  window.geokitShowPeriod = function (label) {
    var i = labels.indexOf(label); input.value = i; show(i);
  };
  show(0);
};

/* The opening view: the corridors, clear of the title above and of the slider below. */
window.geokitFit = function (map, bounds) {
  'use strict';
  function fit() {
    var box = map.getContainer().getBoundingClientRect();
    var title = document.getElementById('geokit-title'), slider = document.getElementById('geokit-slider');
    var legend = document.getElementById('geokit-legend');
    var top = title ? title.getBoundingClientRect().bottom - box.top + 8 : 10;
    var bottom = slider ? box.bottom - slider.getBoundingClientRect().top + 8 : 10;
    var right = 24;
    if (legend && legend.open && box.width > 700) { right = box.right - legend.getBoundingClientRect().left + 8; }
    if (top + bottom > box.height * 0.6) { top = Math.min(top, box.height * 0.3); bottom = Math.min(bottom, box.height * 0.25); }
    if (right > box.width * 0.4) { right = 24; }
    map.fitBounds(bounds, {paddingTopLeft: [24, top], paddingBottomRight: [right, bottom], animate: false});
  }
  fit();
  map.geokitFit = fit;
};

/* Printing: the map fills the page (not the screen's crop), the scale bar stays, the controls go. */
window.geokitPrint = function (map) {
  'use strict';
  var media = window.matchMedia('print'), kept = null;
  function change() {
    if (media.matches) {
      kept = map.getBounds();
      map.invalidateSize({animate: false, pan: false});
      map.fitBounds(kept, {animate: false});
    } else if (kept) {
      map.invalidateSize({animate: false, pan: false});
      map.fitBounds(kept, {animate: false});
      kept = null;
    }
  }
  if (media.addEventListener) { media.addEventListener('change', change); } else { media.addListener(change); }
  window.addEventListener('beforeprint', function () { if (!kept) { kept = map.getBounds(); } map.invalidateSize({animate: false}); map.fitBounds(kept, {animate: false}); });
  window.addEventListener('afterprint', change);
};

/* On a phone the legend starts folded (tap "Legend" to open it). */
window.geokitLegend = function () {
  'use strict';
  var d = document.getElementById('geokit-legend');
  if (d && (window.innerWidth < 700 || window.innerHeight < 500)) { d.removeAttribute('open'); }
};
