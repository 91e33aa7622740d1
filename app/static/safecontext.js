// Session timeout warning: shown before the idle limit, with a button that extends the session.
import { initAll } from "/govuk/govuk-frontend.min.js";

initAll();

const banner = document.querySelector('[data-module="sc-session-timeout"]');
if (banner) {
  const idle = Number(banner.dataset.idleSeconds);
  const warning = Number(banner.dataset.warningSeconds);
  const countdown = banner.querySelector(".sc-timeout__countdown");
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
    const left = Math.round(idle - (Date.now() - started) / 1000);
    if (left <= 0) {
      window.location.assign(banner.dataset.signInUrl);
      return;
    }
    if (left <= warning) {
      if (banner.hidden) {
        typingIn = document.activeElement;
        banner.hidden = false;
        banner.querySelector("button").focus();
      }
      const minutes = Math.ceil(left / 60);
      countdown.textContent = left > 60 ? `${minutes} minutes` : `${left} seconds`;
    }
    window.setTimeout(tick, 1000);
  };
  window.setTimeout(tick, 1000);
}
