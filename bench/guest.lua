-- wrk -s bench/guest.lua: POST /game/v2/session/guest with the fixture game's key and no
-- player_identifier, so every request signs in a new guest player (the write-heavy path).
local key = os.getenv("BENCH_GAME_KEY") or "dev_mockserver_game_key_0000000000000"

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = string.format('{"game_key":"%s","game_version":"1.0.0"}', key)
