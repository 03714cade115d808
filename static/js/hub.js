/* global document, window, navigator */
// hub's pages work without JavaScript; this only adds comfort: confirmations, copy buttons, local times,
// and the HTTP warning on the login page. No inline handlers, so a strict CSP stays possible.
(function () {
  'use strict';

  document.addEventListener('submit', function (e) {
    var form = e.target;
    var question = form && form.getAttribute && form.getAttribute('data-confirm');
    if (question && !window.confirm(question)) e.preventDefault();
  });

  document.addEventListener('click', function (e) {
    var button = e.target.closest ? e.target.closest('[data-copy]') : null;
    if (!button) return;
    var source = document.querySelector(button.getAttribute('data-copy'));
    if (!source || !navigator.clipboard) return;
    navigator.clipboard.writeText(source.textContent.trim()).then(function () {
      button.textContent = 'Copied';
    });
  });

  var units = [['year', 31536000], ['month', 2592000], ['day', 86400], ['hour', 3600], ['minute', 60]];
  function relative(date) {
    var seconds = (date.getTime() - Date.now()) / 1000;
    if (!window.Intl || !Intl.RelativeTimeFormat) return date.toLocaleString();
    var fmt = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
    for (var i = 0; i < units.length; i++) {
      if (Math.abs(seconds) >= units[i][1]) return fmt.format(Math.round(seconds / units[i][1]), units[i][0]);
    }
    return fmt.format(Math.round(seconds), 'second');
  }
  var times = document.querySelectorAll('time[datetime]');
  for (var i = 0; i < times.length; i++) {
    var d = new Date(times[i].getAttribute('datetime'));
    if (!isNaN(d.getTime())) {
      times[i].title = d.toLocaleString();
      times[i].textContent = relative(d);
    }
  }

  var warning = document.getElementById('insecure-login-warning');
  if (warning && window.location.protocol === 'http:' && !/^(localhost|127\.|\[::1\])/.test(window.location.hostname)) warning.hidden = false;

  // For scripts that call the REST API with the login cookie: the XSRF token every write needs.
  var meta = document.querySelector('meta[name="hub-xsrf-token"]');
  window.hubXsrfToken = meta ? meta.getAttribute('content') : '';
})();
