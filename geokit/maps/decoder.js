(function() {
  function decode(g, scale) {
    if (g.type === 'GeometryCollection') {
      return {type: g.type, geometries: g.geometries.map(function(p) { return decode(p, scale); })};
    }
    var k = 0, x = 0, y = 0, d = g.d;
    function line(n) {
      var out = new Array(n);
      for (var i = 0; i < n; i++) { x += d[k++]; y += d[k++]; out[i] = [x / scale, y / scale]; }
      return out;
    }
    function build(s) { return typeof s === 'number' ? line(s) : s.map(build); }
    var coordinates = build(g.n);
    return {type: g.type, coordinates: g.type === 'Point' ? coordinates[0] : coordinates};
  }
  var addData = L.GeoJSON.prototype.addData;
  L.GeoJSON.prototype.addData = function(data) {
    if (data && data.geokitScale) {
      var scale = data.geokitScale;
      data = {type: 'FeatureCollection', features: data.features.map(function(f) {
        return {type: 'Feature', id: f.id, properties: f.properties, geometry: decode(f.geometry, scale)};
      })};
    }
    return addData.call(this, data);
  };
})();
