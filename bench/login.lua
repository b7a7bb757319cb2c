-- wrk -s bench/login.lua: POST /api/identity-provider/login, a real 200 login.
-- The code is a reusable Twitch identity's code (POST /_mock/identities {"reusable": true}); the provider
-- uses LinkByEmail, so every request completes the login (JWT signed, refresh token stored).
local code = os.getenv("BENCH_LOGIN_CODE") or "bench-twitch-code-reusable-0001"
local app = os.getenv("BENCH_APPLICATION_ID") or "9418c942-b625-4902-81d5-dbbe4012f311"
local provider = os.getenv("BENCH_PROVIDER_ID") or "bf4cf83f-e824-42d7-b4a3-5b10847a66b2"

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = string.format(
  '{"applicationId":"%s","identityProviderId":"%s","data":{"code":"%s",' ..
  '"redirect_uri":"https://login.piedpiper.com/oauth2/callback"}}',
  app, provider, code)
