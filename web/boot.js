// Loaded first, as a classic script, so that it sees everything that goes wrong on the page —
// even while the chart library and the modules load. What it records is shown nowhere; it is
// read by the browser tests (window.__commodex.problems) to prove a clean session.
(function () {
  'use strict';
  var problems = [];
  window.__commodex = { problems: problems };
  function record(kind, detail) {
    problems.push({ kind: kind, detail: String(detail).slice(0, 500) });
  }
  window.addEventListener('error', function (event) {
    var target = event.target;
    if (target && target !== window && (target.src || target.href)) {
      record('resource', (target.src || target.href));
    } else {
      record('error', event.message || event.error);
    }
  }, true);
  window.addEventListener('unhandledrejection', function (event) {
    var reason = event.reason;
    record('unhandledrejection', reason && reason.message ? reason.message : reason);
  });
  document.addEventListener('securitypolicyviolation', function (event) {
    record('csp', event.violatedDirective + ' ' + event.blockedURI);
  });
  var originalError = console.error;
  console.error = function () {
    record('console.error', Array.prototype.join.call(arguments, ' '));
    return originalError.apply(console, arguments);
  };
})();
