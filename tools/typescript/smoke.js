// make check-typescript: the TypeScript client generated from openapi.yaml (stock -g typescript,
// compiled to dist/) against the bundled local server: mint a client secret, then open a call
// with the ephemeral key and an SDP offer, then hang up with the API key; hanging up a call that does
// not exist throws the declared error type (ErrorResponse, the spec's default answer).
// usage: node smoke.js <compiled client dir> <api base> <api key> <offer.sdp>
"use strict";
const fs = require("fs");
const [clientDir, apiBase, apiKey, offerPath] = process.argv.slice(2);
const client = require(clientDir);
const { RealtimeApiRequestFactory } = require(clientDir + "/apis/RealtimeApi");

function configuration(token) {
  return client.createConfiguration({
    baseServer: new client.ServerConfiguration(apiBase, {}),
    authMethods: { ApiKeyAuth: { tokenProvider: { getToken: () => token } } },
  });
}

// The generated request factory builds each request (serialization, auth, content type); the
// answers are read raw. The stock ObjectSerializer cannot read these answers: it refuses
// application/sdp, and a oneOf without a discriminator (tool_choice, truncation, max_output_tokens:
// a string or an object) has no attribute map, so deserializing it throws (openapi-generator
// PR #22201). Neither is a defect of the spec.
async function send(config, build) {
  const factory = new RealtimeApiRequestFactory(config);
  const response = await config.httpApi.send(await build(factory)).toPromise();
  return { status: response.httpStatusCode, headers: response.headers, text: await response.body.text() };
}

function check(condition, message) {
  if (!condition) {
    throw new Error("check-typescript: " + message);
  }
}

async function main() {
  const backend = configuration(apiKey);
  const request = new client.RealtimeCreateClientSecretRequest();
  request.expiresAfter = { anchor: "created_at", seconds: 120 };
  request.session = { type: "realtime", model: "gpt-realtime", instructions: "You are a friendly assistant." };
  const minted = await send(backend, (factory) => factory.createRealtimeClientSecret(request));
  check(minted.status === 200, "the client secret is minted (200), got " + minted.status + ": " + minted.text);
  const secret = JSON.parse(minted.text);
  check(/^ek_[0-9a-f]{32}$/.test(secret.value), "the client secret is an ek_ key");
  check(secret.session.type === "realtime" && secret.session.model === "gpt-realtime", "the session is as sent");
  console.log("typescript client: minted ek_..., expires at %d", secret.expires_at);

  const offer = fs.readFileSync(offerPath, "utf8");
  const call = await send(configuration(secret.value), (factory) => factory.createRealtimeCall(offer));
  check(call.status === 201, "the call is created (201), got " + call.status + ": " + call.text);
  check(call.text.startsWith("v=0") && call.text.includes("a=setup:active"), "the answer is SDP");
  const callId = (call.headers["location"] || "").split("/").pop();
  check(/^rtc_[0-9a-f]{32}$/.test(callId), "Location names the call: " + call.headers["location"]);
  console.log("typescript client: opened call %s", callId);

  await new client.RealtimeApi(backend).hangupRealtimeCall(callId);   // no answer body: the promise API reads it
  console.log("typescript client: hung up %s", callId);

  const unknown = "rtc_" + "0".repeat(32);
  const failure = await new client.RealtimeApi(backend).hangupRealtimeCall(unknown).then(() => null, (error) => error);
  check(failure && failure.code === 404, "an unknown call is a 404 ApiException: " + failure);   // ES5 target: no instanceof for Error subclasses
  check(failure.body instanceof client.ErrorResponse && failure.body.error.code === "call_not_found",
        "the 404's body is the declared ErrorResponse: " + JSON.stringify(failure.body));
  console.log("typescript client: %s is a 404 with a typed ErrorResponse (%s)", unknown, failure.body.error.code);
}

main().catch((error) => {
  console.error(error && error.stack ? error.stack : error);
  process.exit(1);
});
