/* The figures page's chart: reports per day, week or month, drawn with uPlot (vendored in
   static/uplot) from the JSON the page carries beside its table. Without scripts the table is
   still there. */
(function () {
  "use strict";
  var HEIGHT = 220;

  function whole(values) {
    return values.map(function (v) { return Number.isInteger(v) ? String(v) : ""; });
  }

  function draw(box) {
    var source = document.getElementById(box.id + "-data");
    if (!source || typeof uPlot === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var xs = data.labels.map(function (_, i) { return i; });
    var style = getComputedStyle(document.documentElement);
    var colour = (style.getPropertyValue("--brand") || "#123c69").trim();
    var chart = new uPlot({
      width: box.clientWidth || 600,
      height: HEIGHT,
      legend: { show: false },
      cursor: { points: { show: false }, drag: { x: false, y: false } },
      scales: {
        x: { time: false, range: function () { return [-0.5, xs.length - 0.5]; } },
        y: { range: function (_u, _min, max) { return [0, Math.max(4, Math.ceil(max * 1.1))]; } },
      },
      axes: [
        {
          grid: { show: false },
          values: function (_u, splits) {
            return splits.map(function (i) { return Number.isInteger(i) && data.labels[i] || ""; });
          },
        },
        { values: function (_u, splits) { return whole(splits); } },
      ],
      series: [
        {},
        {
          label: data.title,
          stroke: colour,
          fill: colour + "cc",
          width: 0,
          points: { show: false },
          paths: uPlot.paths.bars({ size: [0.7, 48] }),
        },
      ],
    }, [xs, data.values], box);
    box.dataset.drawn = String(data.values.length);
    window.addEventListener("resize", function () {
      chart.setSize({ width: box.clientWidth, height: HEIGHT });
    });
  }

  document.querySelectorAll(".chart").forEach(draw);
})();
