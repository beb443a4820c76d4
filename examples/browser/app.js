// Token server -> ephemeral key -> WebRTC offer -> answer. Plain JavaScript, no build step.
"use strict";

const statusLine = document.getElementById("status");

function show(state, words) {
  statusLine.dataset.state = state;
  statusLine.textContent = words;
}

async function apiError(response) {
  try {
    const body = await response.json();
    return body.error && body.error.message ? body.error.message : response.statusText;
  } catch (_) {
    return response.statusText;
  }
}

async function mintKey() {
  let response;
  try {
    response = await fetch("/session", { cache: "no-store" });
  } catch (error) {
    throw new Error("The token server is down or unreachable (" + error.message + ").");
  }
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    throw new Error("The token server could not mint a key (HTTP " + response.status + "): " +
                    (body.error || response.statusText) + ".");
  }
  return response.json();
}

async function startCall() {
  document.getElementById("start").disabled = true;
  let peer;
  try {
    show("working", "Asking the token server for an ephemeral key...");
    const config = await (await fetch("/config.json", { cache: "no-store" })).json();
    document.getElementById("api-base").textContent = config.api_base;
    const secret = await mintKey();
    document.getElementById("expires").textContent = new Date(secret.expires_at * 1000).toISOString();

    peer = new RTCPeerConnection();
    peer.addTransceiver("audio", { direction: "sendrecv" });   // no microphone needed to negotiate
    peer.createDataChannel("oai-events");
    await peer.setLocalDescription(await peer.createOffer());

    show("working", "Posting the SDP offer to " + config.api_base + "/realtime/calls...");
    let response;
    try {
      response = await fetch(config.api_base + "/realtime/calls", {
        method: "POST",
        body: peer.localDescription.sdp,
        headers: { "Authorization": "Bearer " + secret.value, "Content-Type": "application/sdp" },
      });
    } catch (error) {
      throw new Error("Network error: the Realtime API at " + config.api_base + " could not be reached (" +
                      error.message + ").");
    }
    if (response.status === 401) {
      throw new Error("401 Unauthorized: the API refused the ephemeral key (" + await apiError(response) + ").");
    }
    if (response.status !== 201) {
      throw new Error("The API answered HTTP " + response.status + ": " + await apiError(response));
    }
    await peer.setRemoteDescription({ type: "answer", sdp: await response.text() });
    const location = response.headers.get("Location") || "";
    document.getElementById("call-id").textContent = location.split("/").pop() || "(no Location header)";
    show("answer-applied", "Answer applied: the call is set up.");
  } catch (error) {
    if (peer) peer.close();
    show("error", error.message);
  } finally {
    document.getElementById("start").disabled = false;
  }
}

document.getElementById("start").addEventListener("click", startCall);
