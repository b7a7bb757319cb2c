// A small LootLocker web client: plain fetch with the headers LootLocker's web clients send (JSON content type on
// every call, so every call is preflighted). The API base comes from ?api=; the game from ?game_key=&domain_key=.
"use strict";

const params = new URLSearchParams(window.location.search);
const config = {
  api: params.get("api") || "http://127.0.0.1:9011",
  gameKey: params.get("game_key") || "dev_mockserver_game_key_0000000000000",
  domainKey: params.get("domain_key") || "mockserverdev",
  gameVersion: "1.0.0",
};
document.getElementById("api").textContent = config.api;

function log(line) {
  document.getElementById("log").textContent += line + "\n";
}

async function call(method, path, { body, token, headers } = {}) {
  const sent = { "Content-Type": "application/json", ...(headers || {}) };
  if (token !== undefined) sent["x-session-token"] = token || "";
  const response = await fetch(config.api + path, {
    method,
    headers: sent,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const payload = text ? JSON.parse(text) : null;
  log(`${method} ${path} → ${response.status}`);
  if (!response.ok) {
    const error = new Error((payload && payload.message) || `HTTP ${response.status}`);
    error.status = response.status;
    throw error;
  }
  return payload;
}

const whiteLabel = { "domain-key": config.domainKey, "is-development": "true" };

window.ll = {
  signUp: (email, password) => call("POST", "/white-label-login/sign-up", { body: { email, password }, headers: whiteLabel }),
  login: (email, password) =>
    call("POST", "/white-label-login/login", { body: { email, password, remember: true }, headers: whiteLabel }),
  whiteLabelSession: (email, token) =>
    call("POST", "/game/v2/session/white-label", {
      body: { game_key: config.gameKey, email, token, game_version: config.gameVersion },
    }),
  guestSession: () =>
    call("POST", "/game/v2/session/guest", { body: { game_key: config.gameKey, game_version: config.gameVersion } }),
  connectedAccounts: (token) => call("GET", "/game/v1/connected-accounts", { token }),
  sendFriendRequest: (token, ulid) => call("POST", `/game/player/friends/${encodeURIComponent(ulid)}`, { token }),
  incoming: (token) => call("GET", "/game/player/friends/incoming?per_page=50&page=1", { token }),
  accept: (token, ulid) => call("POST", `/game/player/friends/incoming/${encodeURIComponent(ulid)}/accept`, { token }),
  friends: (token) => call("GET", "/game/player/friends?per_page=50&page=1", { token }),
  follow: (token, publicUid) => call("POST", `/game/player/${encodeURIComponent(publicUid)}/followers/follow`, { token }),
  followers: (token, publicUid) => call("GET", `/game/player/${encodeURIComponent(publicUid)}/followers?per_page=20`, { token }),
  following: (token, publicUid) => call("GET", `/game/player/${encodeURIComponent(publicUid)}/following?per_page=20`, { token }),
};

// Remote sign-in: begin a login lease, show its code, link and QR code, poll until the other device authorizes.
async function startRemoteSignIn() {
  const status = document.getElementById("lease-status");
  try {
    const info = (await call("POST", "/game/info/v1", { body: { api_key: config.gameKey } })).info;
    const lease = await call("POST", "/game/session/remote/lease", {
      body: { title_id: info.title_id, environment_id: info.environment_id, game_version: config.gameVersion },
    });
    document.getElementById("lease-code").textContent = lease.code;
    document.getElementById("lease-link").href = lease.redirect_url;
    document.getElementById("lease-qr").src = "data:image/png;base64," + lease.redirect_url_qr_base64;
    document.getElementById("lease-box").hidden = false;
    status.dataset.state = "polling";
    status.textContent = "Waiting for the other device…";
    const poll = { game_key: config.gameKey, game_version: config.gameVersion, lease_code: lease.code, nonce: lease.nonce };
    for (;;) {
      const answer = await call("POST", "/game/session/remote", { body: poll });
      if (answer.session_token) {
        window.ll.remoteSession = answer;
        status.dataset.state = "signed-in";
        status.dataset.playerUlid = answer.player_ulid;
        status.textContent = `Signed in as ${answer.player_ulid}`;
        return;
      }
      status.dataset.lease = answer.lease_status;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  } catch (error) {
    status.dataset.state = "failed";
    status.textContent = `Failed: ${error.message}`;
  }
}

document.getElementById("lease-start").addEventListener("click", startRemoteSignIn);
