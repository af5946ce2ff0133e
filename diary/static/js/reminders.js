/* "Remind me on this phone" on the Account page (docs/reminders.md): only when the patient taps
   it, ask for notifications, subscribe this browser to Web Push with the server's VAPID key, and
   keep the subscription (POST /api/v1/patients/me/push-subscriptions). Never on page load. The
   reminder settings themselves are an ordinary form that works without this script. */
"use strict";

(() => {
  const section = document.querySelector("[data-push-setup]");
  if (!section || !("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
    return; // no Web Push here: the section stays hidden, email reminders still work
  }
  const state = section.querySelector("[data-push-state]");
  const button = section.querySelector("[data-push-subscribe]");
  const say = (text) => { state.textContent = text; };

  // The VAPID public key (base64url) as the bytes PushManager.subscribe wants.
  function keyBytes(base64url) {
    const base64 = base64url.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(base64url.length / 4) * 4, "=");
    return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  }

  async function subscribe() {
    button.disabled = true;
    try {
      const permission = await Notification.requestPermission();
      if (permission !== "granted") {
        say("Notifications are blocked for this site. Allow them in your browser's settings, then tap again.");
        return;
      }
      say("Setting up…");
      const registration = await navigator.serviceWorker.register("/sw.js");
      await navigator.serviceWorker.ready;
      const keyAnswer = await fetch(section.dataset.publicKeyUrl, { credentials: "same-origin", cache: "no-store" });
      if (!keyAnswer.ok) throw new Error(`public key: ${keyAnswer.status}`);
      const { public_key: publicKey } = await keyAnswer.json();
      let subscription = await registration.pushManager.getSubscription();
      if (subscription) {
        // Made with another server key (the key changed): start again with this one.
        const made = subscription.options && subscription.options.applicationServerKey;
        const wanted = keyBytes(publicKey);
        if (made && new Uint8Array(made).join() !== wanted.join()) {
          await subscription.unsubscribe();
          subscription = null;
        }
      }
      subscription = subscription || await registration.pushManager.subscribe({
        userVisibleOnly: true, applicationServerKey: keyBytes(publicKey),
      });
      const token = document.querySelector('meta[name="csrf-token"]').content;
      const kept = await fetch(section.dataset.subscriptionsUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": token },
        body: JSON.stringify(subscription.toJSON()),
      });
      if (!kept.ok) throw new Error(`subscription: ${kept.status}`);
      section.dataset.subscribed = "yes";
      say("Done: this phone will show your reminders. Tick “A notification on my phone” above and save, if it is not ticked yet.");
    } catch (error) {
      section.dataset.subscribed = "no";
      say("This phone could not be set up for notifications. Email reminders still work.");
      console.warn("push subscription failed", error);
    } finally {
      button.disabled = false;
    }
  }

  section.hidden = false;
  if (Notification.permission === "denied") {
    say("Notifications are blocked for this site. Allow them in your browser's settings, then tap below.");
  }
  button.addEventListener("click", subscribe);
})();
