-- GET the petition page through a cache (wrk -s bench/cached_page.lua URL); a 200 is a
-- success. Also counts the answers nginx served from its cache (X-Cache: HIT) and prints
-- "BENCH_CACHE {...}" beside report.lua's BENCH_JSON line.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "report.lua")
expected = 200
local counted_response = response
hit, total, kinds = 0, 0, {}

function response(status, headers, body)
   counted_response(status, headers, body)
   total = total + 1
   local kind = headers["X-Cache"] or "none"
   kinds[kind] = (kinds[kind] or 0) + 1
   if kind == "HIT" then
      hit = hit + 1
   end
end

local reported_done = done
function done(summary, latency, requests)
   reported_done(summary, latency, requests)
   local all_hit, all_total, all_kinds = 0, 0, {}
   for _, t in ipairs(threads) do
      all_hit = all_hit + t:get("hit")
      all_total = all_total + t:get("total")
      for k, v in pairs(t:get("kinds")) do
         all_kinds[k] = (all_kinds[k] or 0) + v
      end
   end
   local parts = {}
   for k, v in pairs(all_kinds) do
      table.insert(parts, string.format('"%s": %d', k, v))
   end
   io.write(string.format('BENCH_CACHE {"hit": %d, "total": %d, "kinds": {%s}}\n', all_hit,
                          all_total, table.concat(parts, ", ")))
end
