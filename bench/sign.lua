-- POST the signing form, one new e-mail address per request (run id, wrk thread, counter).
-- Environment (set by bench/run.py): BENCH_SIGN_PATH, BENCH_CSRF (csrf_token of the form),
-- BENCH_COOKIE ("session=..." the token is tied to), BENCH_RUN (unique per run).
-- A success is the 303 redirect to "check your mail"; anything else is counted as an error.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "report.lua")
expected = 303

local function urlencode(s)
   return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", c:byte()) end))
end

local token = urlencode(os.getenv("BENCH_CSRF") or "")
local run = os.getenv("BENCH_RUN") or "0"
wrk.method = "POST"
wrk.path = os.getenv("BENCH_SIGN_PATH") or wrk.path
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE") or ""
local n = 0

function request()
   n = n + 1
   local email = string.format("bench.%s.t%d.%d@example.org", run, tid or 0, n)
   local body = "csrf_token=" .. token
      .. "&name=Camille+Banc&email=" .. urlencode(email)
      .. "&postal_code=75011&comment=Je+signe&show_name=y&keep_informed=y&website="
   return wrk.format(nil, nil, nil, body)
end
