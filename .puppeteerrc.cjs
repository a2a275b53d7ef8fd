// Puppeteer comes with @mermaid-js/mermaid-cli. The course renders with the Chromium or Chrome
// already on the machine (see scripts/notebooks/puppeteer.json), so an install never downloads
// a browser. package.json's allowScripts also denies puppeteer's install script (npm 11.16+);
// this file covers older npm versions, which run that script.
/** @type {import("puppeteer").Configuration} */
module.exports = { skipDownload: true };
