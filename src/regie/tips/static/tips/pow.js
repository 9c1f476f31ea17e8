// Proof of work for the anonymous tip line (see regie/tips/pow.py): find a decimal nonce
// such that sha256(challenge + ":" + nonce) starts with `difficulty` zero bits, then
// submit the form. Runs only in this browser; nothing is sent until the work is done.
"use strict";
(function () {
  function zeroBits(buf) {
    const bytes = new Uint8Array(buf);
    let n = 0;
    for (const b of bytes) {
      if (b === 0) { n += 8; continue; }
      return n + Math.clz32(b) - 24;
    }
    return n;
  }
  async function solve(token) {
    const bits = parseInt(token.split(".")[2], 10);
    const enc = new TextEncoder();
    const batch = 512;
    for (let start = 0; ; start += batch) {
      const jobs = [];
      for (let i = start; i < start + batch; i++) {
        jobs.push(crypto.subtle.digest("SHA-256", enc.encode(token + ":" + i)));
      }
      const digests = await Promise.all(jobs);
      for (let k = 0; k < digests.length; k++) {
        if (zeroBits(digests[k]) >= bits) { return String(start + k); }
      }
    }
  }
  document.querySelectorAll("form[data-pow]").forEach(function (form) {
    form.addEventListener("submit", async function (event) {
      const nonce = form.querySelector("input[name=pow_nonce]");
      if (nonce.value) { return; }
      event.preventDefault();
      const status = form.querySelector("[data-pow-status]");
      const button = form.querySelector("button[type=submit]");
      if (button) { button.disabled = true; }
      if (status) { status.textContent = status.dataset.busy; }
      try {
        nonce.value = await solve(form.querySelector("input[name=pow_token]").value);
        if (status) { status.textContent = status.dataset.done; }
        form.submit();
      } catch (err) {
        if (status) { status.textContent = status.dataset.failed; }
        if (button) { button.disabled = false; }
      }
    });
  });
})();
