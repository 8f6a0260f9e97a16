-- GET the petition page through a cache (wrk -s bench/cached_page.lua URL); a 200 is a
-- success. Also counts the answers nginx served from its cache (X-Cache: HIT) and prints
-- "BENCH_CACHE {...}" beside report.lua's BENCH_JSON line.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "report.lua")
expected = 200
local counted_response = response
hit, total = 0, 0

function response(status, headers, body)
   counted_response(status, headers, body)
   total = total + 1
   if headers["X-Cache"] == "HIT" then
      hit = hit + 1
   end
end

local reported_done = done
function done(summary, latency, requests)
   reported_done(summary, latency, requests)
   local all_hit, all_total = 0, 0
   for _, t in ipairs(threads) do
      all_hit = all_hit + t:get("hit")
      all_total = all_total + t:get("total")
   end
   io.write(string.format('BENCH_CACHE {"hit": %d, "total": %d}\n', all_hit, all_total))
end
