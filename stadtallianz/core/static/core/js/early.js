// Runs before the page is drawn (a blocking script in <head>, external for the CSP): marks the
// document as scripted, so the CSS keeps the mobile menu closed behind its button from the start.
document.documentElement.classList.add("js");
