-- POST the signing form, one new e-mail address per request (run id, wrk thread, counter).
-- Environment (set by bench/run.py): BENCH_SIGN_PATH, BENCH_RUN (unique per run), and for
-- older versions BENCH_CSRF (csrf_token of the form) and BENCH_COOKIE (the session it is tied
-- to): the form needs no token since the viral-day issue.
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
local cookie = os.getenv("BENCH_COOKIE") or ""
if cookie ~= "" then wrk.headers["Cookie"] = cookie end  -- signing needs none since the cache issue
local n = 0

function request()
   n = n + 1
   local email = string.format("bench.%s.t%d.%d@example.org", run, tid or 0, n)
   local body = (token ~= "" and ("csrf_token=" .. token .. "&") or "")
      .. "name=Camille+Banc&email=" .. urlencode(email)
      .. "&postal_code=75011&comment=Je+signe&show_name=y&keep_informed=y&website="
   return wrk.format(nil, nil, nil, body)
end
