/* tmis forms: the little the browser does besides htmx. No rules here: the server validates.
   - date and year-month boxes accept typing; the 📅 button opens the browser's own picker;
   - search-as-you-type option lists: clicking a hit fills the hidden code input;
   - multiple choice search: chips. */
(function () {
  "use strict";
  function fire(el) { el.dispatchEvent(new Event("change", { bubbles: true })); }

  document.addEventListener("click", function (ev) {
    var pick = ev.target.closest(".pick");
    if (pick) {
      var box = document.getElementById(pick.dataset.for);
      var picker = pick.parentNode.querySelector(".picker");
      if (!box || !picker) return;
      var v = (box.value || "").trim().replace(/[./年月]/g, "-").replace(/日$/, "");
      if (picker.type === "month" && /^\d{4}-\d{1,2}$/.test(v)) picker.value = v.replace(/-(\d)$/, "-0$1");
      if (picker.type === "date" && /^\d{4}-\d{1,2}-\d{1,2}$/.test(v)) {
        picker.value = v.split("-").map(function (p, i) { return i ? ("0" + p).slice(-2) : p; }).join("-");
      }
      if (picker.showPicker) { try { picker.showPicker(); return; } catch (e) { /* fall through */ } }
      picker.focus(); picker.click();
      return;
    }
    var opt = ev.target.closest(".opt");
    if (opt) {
      var id = opt.dataset.field;
      var list = document.getElementById(id + "-list");
      if (opt.dataset.multi) {
        var chips = document.getElementById(id);
        if (!chips.querySelector('input[value="' + opt.dataset.code + '"]')) {
          var chip = document.createElement("span");
          chip.className = "chip";
          chip.innerHTML = '<input type="hidden"><button type="button" class="unchip" aria-label="x">×</button>';
          chip.firstChild.name = opt.dataset.name; chip.firstChild.value = opt.dataset.code;
          chip.insertBefore(document.createTextNode(opt.dataset.label), chip.lastChild);
          chips.appendChild(chip);
        }
        document.getElementById(id + "-q").value = "";
        if (list) list.innerHTML = "";
        fire(chips);
        return;
      }
      var hidden = document.getElementById(id);
      var q = document.getElementById(id + "-q");
      hidden.value = opt.dataset.code;
      q.value = opt.dataset.label;
      if (list) list.innerHTML = "";
      fire(hidden);
      return;
    }
    var un = ev.target.closest(".unchip");
    if (un) { var chipsBox = un.closest(".chips"); un.parentNode.remove(); fire(chipsBox); }
  });

  document.addEventListener("change", function (ev) {
    var picker = ev.target.closest && ev.target.closest(".picker");
    if (picker) {
      var box = document.getElementById(picker.dataset.for);
      if (box && picker.value) { box.value = picker.value; fire(box); box.dispatchEvent(new Event("blur")); }
    }
  });

  // a search box emptied by the user clears the chosen code
  document.addEventListener("input", function (ev) {
    var q = ev.target;
    if (q.type === "search" && q.id && q.id.slice(-2) === "-q" && q.value === "") {
      var hidden = document.getElementById(q.id.slice(0, -2));
      if (hidden && hidden.type === "hidden" && hidden.value) { hidden.value = ""; fire(hidden); }
    }
  });

  // The form is re-drawn by the server while the user may still be typing: whatever was typed
  // into a text box after the request left is put back into the new form (never lose typing).
  var sent = null, pending = null;
  function snapshot() {
    var out = {};
    document.querySelectorAll("#set-form input[type=text], #set-form textarea").forEach(function (el) {
      if (el.id) out[el.id] = el.value;
    });
    return out;
  }
  function isForm(ev) { return ev.detail && ev.detail.target && ev.detail.target.id === "set-form"; }
  document.addEventListener("htmx:configRequest", function (ev) { if (isForm(ev)) sent = snapshot(); });
  document.addEventListener("htmx:beforeSwap", function (ev) {
    if (!isForm(ev) || !sent) return;
    var now = snapshot();
    pending = {};
    Object.keys(now).forEach(function (id) { if (now[id] !== sent[id]) pending[id] = now[id]; });
  });
  document.addEventListener("htmx:afterSwap", function (ev) {
    if (!isForm(ev) || !pending) return;
    Object.keys(pending).forEach(function (id) {
      var el = document.getElementById(id);
      if (el && !el.disabled) el.value = pending[id];
    });
    pending = null; sent = null;
  });

  // Escape closes an open option list
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape") document.querySelectorAll(".combo-list").forEach(function (l) { l.innerHTML = ""; });
  });
})();
