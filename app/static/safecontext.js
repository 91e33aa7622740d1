// Session timeout warning: shown before the idle limit, with a button that extends the session, and before the
// absolute limit, which nothing extends.
import { initAll } from "/govuk/govuk-frontend.min.js";

initAll();

const banner = document.querySelector('[data-module="sc-session-timeout"]');
if (banner) {
  const idle = Number(banner.dataset.idleSeconds);
  const warning = Number(banner.dataset.warningSeconds);
  // The absolute limit: no activity extends it, so near it the warning says so and offers no button.
  const endsAt = Date.now() + Number(banner.dataset.absoluteSeconds) * 1000;
  const idlePart = banner.querySelector(".sc-timeout__idle");
  const finalPart = banner.querySelector(".sc-timeout__final");
  let started = Date.now();
  let typingIn = null; // the field the warning took the focus from, given back when the user stays
  // The server answers "Stay signed in" with No Content, so the page (and anything typed into it) stays: the
  // warning hides and the clock starts again.
  banner.querySelector("form").addEventListener("submit", () => {
    started = Date.now();
    banner.hidden = true;
    typingIn?.focus();
  });
  const tick = () => {
    const idleLeft = Math.round(idle - (Date.now() - started) / 1000);
    const finalLeft = Math.round((endsAt - Date.now()) / 1000);
    const final = finalLeft <= idleLeft;
    const left = Math.min(idleLeft, finalLeft);
    if (left <= 0) {
      window.location.assign(banner.dataset.signInUrl);
      return;
    }
    if (left <= warning) {
      idlePart.hidden = final;
      finalPart.hidden = !final;
      if (banner.hidden) {
        typingIn = document.activeElement;
        banner.hidden = false;
        (final ? banner : banner.querySelector("button")).focus();
      }
      const minutes = Math.ceil(left / 60);
      const shown = final ? finalPart : idlePart;
      shown.querySelector(".sc-timeout__countdown").textContent = left > 60 ? `${minutes} minutes` : `${left} seconds`;
    }
    window.setTimeout(tick, 1000);
  };
  window.setTimeout(tick, 1000);
}

// A wide table scrolls on its own on a narrow screen or at high zoom, so the page around it still reflows
// (WCAG 2.2, 1.4.10). Only while it overflows is its box a named, focusable region, so that keyboard users can
// scroll it and nobody meets a tab stop or a landmark that does nothing.
for (const table of document.querySelectorAll("table.govuk-table")) {
  const box = document.createElement("div");
  box.className = "sc-table-scroll";
  table.replaceWith(box);
  box.append(table);
  const name = table.caption?.textContent.trim() || "Table";
  new ResizeObserver(() => {
    if (box.scrollWidth > box.clientWidth) {
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", `${name} (scrolls sideways)`);
      box.tabIndex = 0;
    } else {
      box.removeAttribute("role");
      box.removeAttribute("aria-label");
      box.removeAttribute("tabindex");
    }
  }).observe(box);
}
