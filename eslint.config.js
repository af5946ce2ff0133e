// ESLint for the browser code in diary/static/js/ (`make lint-js`). Flat config: the recommended
// rules, the globals of a page and of the service worker; the vendored bundles are not ours.
"use strict";

const js = require("@eslint/js");
const globals = require("globals");

module.exports = [
  { ignores: ["diary/static/vendor/", "node_modules/"] },
  js.configs.recommended,
  {
    files: ["diary/static/js/**/*.js"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "script",
      globals: { ...globals.browser, ...globals.serviceworker },
    },
  },
  {
    files: ["eslint.config.js"],
    languageOptions: { sourceType: "commonjs", globals: globals.node },
  },
];
