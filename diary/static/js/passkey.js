/* Passkeys (WebAuthn) as the second step of a login (docs/second-factor.md): "Add a passkey" on
   the account page, "Use a passkey" on the login's second step. The server's options and the
   browser's answers travel as JSON with base64url for bytes. Without WebAuthn both stay hidden. */
(function () {
  "use strict";
  if (!window.PublicKeyCredential || !navigator.credentials) return;

  function toBytes(text) {
    var base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    var binary = atob(base64 + "===".slice((base64.length + 3) % 4));
    return Uint8Array.from(binary, function (c) { return c.charCodeAt(0); });
  }

  function toText(buffer) {
    var binary = String.fromCharCode.apply(null, new Uint8Array(buffer));
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function withBytes(list) {
    return (list || []).map(function (item) { return Object.assign({}, item, { id: toBytes(item.id) }); });
  }

  function send(path, body) {
    var token = document.querySelector("meta[name=csrf-token]").content;
    return fetch(path, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token },
      body: JSON.stringify(body || {}),
    }).then(function (response) {
      if (!response.ok) throw new Error("answered " + response.status);
      return response.json();
    });
  }

  function answer(credential, fields) {
    var out = { id: credential.id, rawId: toText(credential.rawId), type: credential.type, response: {} };
    fields.forEach(function (name) {
      var value = credential.response[name];
      if (value) out.response[name] = toText(value);
    });
    if (credential.response.getTransports) out.response.transports = credential.response.getTransports();
    out.clientExtensionResults = credential.getClientExtensionResults();
    return out;
  }

  function register(box) {
    return send("/api/v1/me/mfa/passkeys/options").then(function (options) {
      options.challenge = toBytes(options.challenge);
      options.user.id = toBytes(options.user.id);
      options.excludeCredentials = withBytes(options.excludeCredentials);
      return navigator.credentials.create({ publicKey: options });
    }).then(function (credential) {
      var body = answer(credential, ["clientDataJSON", "attestationObject"]);
      return send("/api/v1/me/mfa/passkeys", { credential: body, name: box.dataset.passkeyName || "Passkey" });
    });
  }

  function logIn() {
    return send("/api/v1/auth/login/passkey/options").then(function (options) {
      options.challenge = toBytes(options.challenge);
      options.allowCredentials = withBytes(options.allowCredentials);
      return navigator.credentials.get({ publicKey: options });
    }).then(function (credential) {
      var fields = ["clientDataJSON", "authenticatorData", "signature", "userHandle"];
      return send("/api/v1/auth/login/passkey", { credential: answer(credential, fields) });
    });
  }

  /* One button, its error line, and what happens after it works. */
  function wire(box, button, action, done) {
    var error = box.querySelector("[data-passkey-error]");
    button.addEventListener("click", function () {
      button.disabled = true;
      error.hidden = true;
      action().then(done, function () {
        error.hidden = false;
        button.disabled = false;
      });
    });
  }

  var adding = document.querySelector("[data-passkey-register]");
  if (adding) {
    adding.hidden = false;
    wire(adding, adding.querySelector("button"), function () { return register(adding); }, function () {
      window.location.reload();
    });
  }
  var using = document.querySelector("[data-passkey-login]");
  if (using) {
    using.hidden = false;
    wire(using.parentNode, using, logIn, function () {
      window.location.assign(using.dataset.next);
    });
  }
})();
