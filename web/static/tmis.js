/* Page behaviour without inline script (the Content-Security-Policy allows scripts from /static only):
   data-confirm="question" on a form asks before submitting; data-check-all="selector" on a checkbox
   sets every box the selector names; data-print prints the page; data-once disables a button after
   its first click (its htmx request still goes: htmx listens on the button itself); data-back goes
   back a page (the error page: the form there usually still holds what was typed). */
(function () {
  "use strict";
  document.addEventListener("submit", function (ev) {
    var form = ev.target.closest ? ev.target.closest("form[data-confirm]") : null;
    if (form && !window.confirm(form.getAttribute("data-confirm"))) ev.preventDefault();
  });
  document.addEventListener("click", function (ev) {
    var el = ev.target;
    if (!el || !el.closest) return;
    var all = el.closest("input[data-check-all]");
    if (all) {
      document.querySelectorAll(all.getAttribute("data-check-all")).forEach(function (c) { c.checked = all.checked; });
    }
    if (el.closest("[data-print]")) window.print();
    if (el.closest("[data-back]")) { ev.preventDefault(); window.history.back(); }
    var once = el.closest("button[data-once]");
    if (once) window.setTimeout(function () { once.disabled = true; }, 0);
  });
})();
