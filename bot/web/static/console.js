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

// The loudspeaker's compose form: how many the audience chosen so far reaches, on each
// messenger, asked again whenever a choice changes (/loudspeaker/reach).
(function () {
  "use strict";
  var line = document.querySelector("[data-reach]");
  var form = line && line.closest("form");
  if (!form || !window.fetch) { return; }
  var asked = 0;
  form.addEventListener("change", function (event) {
    var name = event.target && event.target.name;
    if (["commune", "hamlet", "team", "kind", "tag", "urgent"].indexOf(name) < 0) { return; }
    var query = new URLSearchParams();
    new FormData(form).forEach(function (value, key) {
      if (["commune", "hamlet", "team", "kind", "tag", "urgent"].indexOf(key) >= 0) {
        query.append(key, value);
      }
    });
    var mine = ++asked;
    fetch(line.getAttribute("data-reach") + "?" + query.toString(), {credentials: "same-origin"})
      .then(function (answer) { return answer.ok ? answer.json() : null; })
      .then(function (data) {
        if (!data || mine !== asked) { return; }
        var strong = document.createElement("strong");
        strong.textContent = data.text;
        line.replaceChildren(strong);
        data.channels.forEach(function (channel) {
          var span = document.createElement("span");
          span.className = "channel";
          span.textContent = channel.label + ": " + channel.count;
          line.append(" ", span);
        });
        line.setAttribute("data-total", String(data.total));
      });
  });
}());
