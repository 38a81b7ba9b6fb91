// Live updates of the queue: the server says when a report of the officer's communes is
// filed or changes (server-sent events, /live); the table is fetched again with its filters.
(function () {
  "use strict";
  var queue = document.querySelector("[data-live]");
  if (!queue || !window.EventSource) { return; }
  var source = new EventSource(queue.getAttribute("data-live"));
  var pending = null;
  source.addEventListener("open", function () { document.body.setAttribute("data-live", "on"); });
  source.addEventListener("error", function () { document.body.removeAttribute("data-live"); });
  source.addEventListener("report", function () {
    if (pending) { return; }
    pending = setTimeout(function () {
      pending = null;
      htmx.ajax("GET", window.location.pathname + window.location.search,
                {target: "#queue", select: "#queue", swap: "outerHTML"});
    }, 150);
  });
}());

// Live progress of the loudspeaker's broadcasts: each time the delivery engine records
// more, the server sends that broadcast's state and sent / total per messenger.
(function () {
  "use strict";
  var table = document.querySelector("[data-progress]");
  if (!table || !window.EventSource) { return; }
  var source = new EventSource(table.getAttribute("data-progress"));
  source.addEventListener("open", function () { document.body.setAttribute("data-live", "on"); });
  source.addEventListener("broadcast", function (event) {
    var data = JSON.parse(event.data);
    var row = table.querySelector('tr[data-broadcast="' + data.id + '"]');
    if (!row) { return; }
    row.querySelector(".state").textContent = data.state_label;
    var reach = row.querySelector(".reach");
    reach.textContent = "";
    data.channels.forEach(function (channel) {
      var span = document.createElement("span");
      span.className = "channel";
      span.appendChild(document.createTextNode(channel.label + ": "));
      var figure = document.createElement("strong");
      figure.textContent = channel.sent + "/" + channel.total;
      span.appendChild(figure);
      if (channel.failed) { span.appendChild(document.createTextNode(" · ❌ " + channel.failed)); }
      reach.appendChild(span);
    });
    row.setAttribute("data-state", data.state);
  });
}());
