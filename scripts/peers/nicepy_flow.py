"""A password grant the way nicepy and other public Python clients do it, against the CXone
emulator: requests-oauthlib's LegacyApplicationClient, whose fetch_token sends the client ID
and secret as raw HTTP Basic halves (requests' HTTPBasicAuth does not form-encode them), then
tenant discovery and an API call with Accept */* on /InContactAPI/.

Environment: CXONE_ISSUER, CXONE_CLIENT_ID, CXONE_CLIENT_SECRET, CXONE_ACCESS_KEY_ID,
CXONE_ACCESS_KEY_SECRET. Exits 0 when every step passed, 1 otherwise, naming the step.
"""

import base64
import json
import os
import sys
from urllib.parse import urlsplit

import requests
from oauthlib.oauth2 import LegacyApplicationClient
from requests_oauthlib import OAuth2Session


def fail(step, why):
    print(f"nicepy: FAIL {step}: {why}", file=sys.stderr)
    sys.exit(1)


def ok(step, detail=""):
    print(f"nicepy: ok   {step}" + (f": {detail}" if detail else ""))


def env(name):
    value = os.environ.get(name)
    if not value:
        fail("setup", f"{name} is not set")
    return value


issuer = env("CXONE_ISSUER")
client_id, client_secret = env("CXONE_CLIENT_ID"), env("CXONE_CLIENT_SECRET")
key_id, key_secret = env("CXONE_ACCESS_KEY_ID"), env("CXONE_ACCESS_KEY_SECRET")
if urlsplit(issuer).hostname in ("127.0.0.1", "localhost", "::1"):
    os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"  # plain http on loopback only

try:
    disc = requests.get(issuer + "/.well-known/openid-configuration", timeout=10).json()
    token_url = disc["token_endpoint"]
except Exception as e:  # noqa: BLE001
    fail("discovery", repr(e))
ok("discovery", token_url)

session = OAuth2Session(client=LegacyApplicationClient(client_id=client_id))
try:
    token = session.fetch_token(token_url=token_url, username=key_id, password=key_secret,
                                client_id=client_id, client_secret=client_secret, timeout=10)
except Exception as e:  # noqa: BLE001
    fail("password grant", type(e).__name__ + ": " + str(e)[:200])
if not token.get("access_token"):
    fail("password grant", "no access_token")
ok("password grant", "raw Basic halves (requests-oauthlib)")

claims = json.loads(base64.urlsafe_b64decode(token["id_token"].split(".")[1] + "=="))
tenant = requests.get(issuer + "/.well-known/cxone-configuration",
                      params={"tenantId": claims["tenantId"]}, timeout=10)
if tenant.status_code != 200:
    fail("tenant discovery", f"status {tenant.status_code}")
api = tenant.json()["api_endpoint"]
ok("tenant discovery", api)

resp = session.get(api + "/InContactAPI/services/v31.0/business-unit", headers={"Accept": "*/*"}, timeout=10)
if resp.status_code != 200:
    fail("api", f"status {resp.status_code}")
units = resp.json().get("businessUnits") or []
if not units:
    fail("api", "no business unit")
ok("api", f"business unit {units[0].get('businessUnitId')}")
