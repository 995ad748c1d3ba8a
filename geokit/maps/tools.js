/* geokit: an analyst's tools on the map, all offline (see geokit/maps/tools.py).
 *
 * geokitTools(map, places): the pointer's coordinates (and the last click's), a search over `places`
 * (the map's towns and crossings: {title, loc: [lat, lon]}, titles escaped) with leaflet-search, and a
 * distance-measuring tool with Leaflet.PolylineMeasure. While measuring, clicks on the map's features add
 * points to the measure instead of opening popups. */
window.geokitTools = function (map, places) {
  'use strict';
  function fmt(ll) {
    var lat = ll.lat, lng = L.Util.wrapNum(ll.lng, [-180, 180], true);
    return Math.abs(lat).toFixed(4) + '°' + (lat < 0 ? 'S' : 'N') + ' ' + Math.abs(lng).toFixed(4) + '°' +
      (lng < 0 ? 'W' : 'E');
  }
  var Coords = L.Control.extend({
    options: {position: 'topright'},
    onAdd: function () {
      var box = L.DomUtil.create('div', 'leaflet-bar geokit-tool geokit-coords');
      box.innerHTML = '<span class="geokit-coords-move">move over the map</span>' +
        '<span class="geokit-coords-click"></span>';
      L.DomEvent.disableClickPropagation(box);
      return box;
    }
  });
  var coords = new Coords().addTo(map), container = map.getContainer();
  var moved = coords.getContainer().querySelector('.geokit-coords-move');
  var clicked = coords.getContainer().querySelector('.geokit-coords-click');
  container.addEventListener('mousemove', function (e) { moved.textContent = fmt(map.mouseEventToLatLng(e)); }, true);
  container.addEventListener('click', function (e) {
    if (e.target.closest && e.target.closest('.leaflet-control')) { return; }
    clicked.textContent = 'click: ' + fmt(map.mouseEventToLatLng(e));
  }, true);
  if (L.Control.Search && places.length) {
    map.addControl(new L.Control.Search({
      sourceData: function (text, callResponse) { callResponse(places); return {abort: function () {}}; },
      propertyName: 'title', propertyLoc: 'loc', position: 'topleft', zoom: 9, marker: false, initial: false,
      textPlaceholder: 'Town or crossing...', textErr: 'Not on this map', autoCollapse: true
    }));
  }
  if (L.Control.PolylineMeasure) {
    new L.Control.PolylineMeasure({position: 'topleft', unit: 'kilometres', showBearings: false,
      clearMeasurementsOnStop: false, showClearControl: true, measureControlTitleOn: 'Measure a distance',
      measureControlTitleOff: 'Stop measuring'}).addTo(map);
    map.on('polylinemeasure:toggle', function (e) { map.geokitPointerOff = !!e.sttus; });
  }
};
