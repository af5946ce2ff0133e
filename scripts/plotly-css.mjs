// Print plotly.js's built-in style rules as a stylesheet, from the bundle itself.
//
// On load, plotly.js adds about 80 CSS rules (hover labels, legend, modebar...) through a
// <style> element it creates, which a Content Security Policy of style-src 'self' refuses.
// plotly.js >= 3 skips that when the page already has an element with the id
// "plotly.js-style-global" and the class "no-inline-styles", so the pages link this file as
//   <link rel="stylesheet" id="plotly.js-style-global" class="no-inline-styles" href=".../plotly.css">
// plotly.js no longer ships the file (plotly/plotly.js#7543), so it is made here, from the
// same object of rules the bundle would inject, with the same selector rewriting.
// Usage: node scripts/plotly-css.mjs node_modules/plotly.js-basic-dist-min/plotly-basic.min.js
import { readFileSync } from "node:fs";
import vm from "node:vm";

const path = process.argv[2];
if (!path) {
  console.error("usage: node plotly-css.mjs PATH/TO/plotly.min.js");
  process.exit(2);
}
const source = readFileSync(path, "utf8");
// The rules object starts with the "X,X div" rule and is looped over right after it:
//   var pM={"X,X div":"direction:ltr;...",...};for(Ng in pM)mM=Ng.replace(/^,/," ,")...
const start = source.indexOf('{"X,X div":');
const loop = /\};for\(\w+ in \w+\)\w+=\w+\.replace\(\/\^,\/," ,"\)\.replace\(\/X\/g,"([^"]+)"\)\.replace\(\/Y\/g,"([^"]+)"\)/g;
loop.lastIndex = start;
const end = start < 0 ? null : loop.exec(source);
if (start < 0 || !end) {
  console.error(`plotly-css.mjs: no style rules found in ${path}; has plotly.js changed how it injects them?`);
  process.exit(1);
}
// An object literal of string keys and values: evaluated in an empty context, nothing else runs.
const rules = vm.runInNewContext("(" + source.slice(start, end.index + 1) + ")", Object.create(null),
                                 { timeout: 1000 });
const [, plotSelector, notifierSelector] = end;
const lines = [
  `/* plotly.js style rules, extracted from ${path.split("/").slice(-2).join("/")} by scripts/plotly-css.mjs. */`,
];
let count = 0;
for (const [selector, declarations] of Object.entries(rules)) {
  if (typeof declarations !== "string") continue;
  const full = selector.replace(/^,/, " ,").replace(/X/g, plotSelector).replace(/Y/g, notifierSelector);
  lines.push(`${full}{${declarations}}`);
  count += 1;
}
if (count < 20) {
  console.error(`plotly-css.mjs: only ${count} rules found; refusing to write a partial stylesheet.`);
  process.exit(1);
}
process.stdout.write(lines.join("\n") + "\n");
