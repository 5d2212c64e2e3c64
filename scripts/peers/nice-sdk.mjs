// Drives NICE's own @nice-devone/auth-sdk (a browser SDK) against the CXone emulator:
// OIDC discovery and the fields the SDK reads, its authorize URL (display and PKCE method
// checks), JWKS verification of an id_token with the SDK's verifyJwt, tenant discovery, and
// the SDK's own refresh request (a form labelled application/json, no client authentication).
// The SDK has no access-key grant, so the first token comes from a password grant sent here
// the way public clients send it (raw Basic halves).
//
// Environment: CXONE_ISSUER, CXONE_CLIENT_ID, CXONE_CLIENT_SECRET, CXONE_ACCESS_KEY_ID,
// CXONE_ACCESS_KEY_SECRET (as cxone-emulator -env-file writes them). Exits 0 when every step
// passed, 1 otherwise, naming the step.

// The browser the SDK expects: window is the global object; storage and events are shims.
class MemStorage {
  #m = new Map();
  getItem(k) { return this.#m.has(k) ? this.#m.get(k) : null; }
  setItem(k, v) { this.#m.set(k, String(v)); }
  removeItem(k) { this.#m.delete(k); }
  clear() { this.#m.clear(); }
  key(i) { return [...this.#m.keys()][i] ?? null; }
  get length() { return this.#m.size; }
}
import { createRequire } from 'node:module';

globalThis.window = globalThis;
// The SDK calls require('node-fetch') from ES modules, as a bundler would allow.
globalThis.require ??= createRequire(import.meta.url);
// Globals that Node 18 lacks (Node 20 has them).
globalThis.crypto ??= (await import('node:crypto')).webcrypto;
globalThis.CustomEvent ??= class CustomEvent extends Event {
  constructor(type, init) {
    super(type, init);
    this.detail = init?.detail;
  }
};
globalThis.localStorage = new MemStorage();
globalThis.sessionStorage = new MemStorage();
globalThis.dispatchEvent ??= () => true;
globalThis.addEventListener ??= () => {};
globalThis.removeEventListener ??= () => {};
globalThis.location ??= { href: 'http://127.0.0.1/', origin: 'http://127.0.0.1', hostname: '127.0.0.1' };

const env = (k) => {
  const v = process.env[k];
  if (!v) fail('setup', `${k} is not set`);
  return v;
};
function fail(step, why) {
  console.error(`nice-sdk: FAIL ${step}: ${why}`);
  process.exit(1);
}
function ok(step, detail = '') {
  console.log(`nice-sdk: ok   ${step}${detail ? ': ' + detail : ''}`);
}
const withTimeout = (p, step, ms = 10000) =>
  Promise.race([p, new Promise((_, rej) => setTimeout(() => rej(new Error(`no answer in ${ms} ms`)), ms))])
    .catch((e) => fail(step, e?.message ?? JSON.stringify(e)));

const issuer = env('CXONE_ISSUER');
const clientId = env('CXONE_CLIENT_ID');
const clientSecret = env('CXONE_CLIENT_SECRET');
const keyId = env('CXONE_ACCESS_KEY_ID');
const keySecret = env('CXONE_ACCESS_KEY_SECRET');

const { CXoneAuth, AuthStatus } = await import('@nice-devone/auth-sdk');
const auth = CXoneAuth.instance;
auth.init({ cxoneHostname: issuer, clientId, redirectUri: 'http://127.0.0.1/callback' });

// 1. Discovery, read by the SDK.
const oidc = await withTimeout(auth.getOpenIDConfiguration(issuer), 'discovery');
if (!oidc.tokenEndpoint?.startsWith(issuer) || !oidc.jwksURI || !oidc.endSessionEndpoint) {
  fail('discovery', `token ${oidc.tokenEndpoint}, jwks ${oidc.jwksURI}, end session ${oidc.endSessionEndpoint}`);
}
ok('discovery', oidc.tokenEndpoint);

// 2. The authorize URL: the SDK refuses a display mode or PKCE method discovery does not list.
const authorize = await withTimeout(auth.getAuthorizeUrl('page', 'S256'), 'authorize URL');
if (!authorize.startsWith(oidc.authorizationEndpoint) || !authorize.includes('code_challenge_method=S256')) {
  fail('authorize URL', authorize);
}
ok('authorize URL', 'display=page, S256');

// 3. A password grant as public clients send it: raw Basic halves (CXONE_PEER_BASIC=form
// form-encodes them as RFC 6749 says, to get past a strict emulator to the SDK's own steps).
const form_ = process.env.CXONE_PEER_BASIC === 'form';
const half = (v) => (form_ ? encodeURIComponent(v).replace(/%20/g, '+') : v);
const basic = Buffer.from(`${half(clientId)}:${half(clientSecret)}`).toString('base64');
const form = new URLSearchParams({ grant_type: 'password', username: keyId, password: keySecret });
const resp = await withTimeout(fetch(oidc.tokenEndpoint, {
  method: 'POST',
  headers: { Authorization: `Basic ${basic}`, 'Content-Type': 'application/x-www-form-urlencoded', Accept: '*/*' },
  body: form.toString(),
}), 'password grant');
const tok = await resp.json();
if (resp.status !== 200 || !tok.id_token || !tok.refresh_token) fail('password grant', `status ${resp.status}`);
ok('password grant', form_ ? 'form-encoded Basic halves' : 'raw Basic halves');

// 4. The SDK verifies the id_token against the JWKS; a tampered token must fail.
if (!(await withTimeout(auth.verifyJwt({ data: tok }), 'jwks verify'))) fail('jwks verify', 'the id_token did not verify');
const [h, p, s] = tok.id_token.split('.');
const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
const forged = Buffer.from(JSON.stringify({ ...claims, tenantId: 'someone-else' })).toString('base64url');
if (await withTimeout(auth.verifyJwt({ data: { ...tok, id_token: `${h}.${forged}.${s}` } }), 'jwks verify')) {
  fail('jwks verify', 'a tampered id_token verified');
}
ok('jwks verify', 'RS256, kid ' + JSON.parse(Buffer.from(h, 'base64url').toString()).kid);

// 5. Tenant discovery, read by the SDK, for the tenant of the token.
auth.parseAndSaveAuthToken({ data: tok }, true);
const tenantId = auth.cxoneUser?.userInfo?.tenantId;
if (!tenantId) fail('tenant discovery', 'the SDK found no tenantId in the token');
const conf = await withTimeout(auth.getCXoneConfiguration(issuer, tenantId, false), 'tenant discovery');
if (!conf.acdApiBaseUri || !conf.area || !conf.cluster) fail('tenant discovery', JSON.stringify(conf));
ok('tenant discovery', `area ${conf.area}, cluster ${conf.cluster}`);

// 6. The SDK's own refresh: grant_type=refresh_token, a form labelled application/json,
// no client authentication.
const refreshed = new Promise((resolve, reject) => {
  auth.onAuthStatusChange.subscribe((e) => {
    if (e.status === AuthStatus.REFRESH_TOKEN_SUCCESS) resolve(e.response);
    if (e.status === AuthStatus.AUTHENTICATION_FAILED) reject(new Error('refresh failed: ' + JSON.stringify(e.response)));
  });
});
auth.getRefreshToken();
const fresh = await withTimeout(refreshed, 'refresh');
const access = fresh?.accessToken;
if (!access || access === tok.access_token) fail('refresh', 'no new access token');
ok('refresh', 'a new access token');

// 7. The API with the refreshed token, written as public clients write it.
const api = await withTimeout(fetch(`${conf.acdApiBaseUri}/incontactapi/services/v25.0/server-time`, {
  headers: { Authorization: `Bearer ${access}`, Accept: '*/*' },
}), 'api');
if (api.status !== 200) fail('api', `status ${api.status}`);
ok('api', '/incontactapi/, Accept */*');
process.exit(0);
