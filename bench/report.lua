-- Shared by page.lua and sign.lua: count status codes per thread and print one JSON line
-- ("BENCH_JSON {...}") in done(), which bench/run.py parses. Latencies are in microseconds.
-- The including script sets the global `expected` (the status code that counts as success).

threads = {}

function setup(thread)
   table.insert(threads, thread)
   thread:set("tid", #threads)
end

function init(args)
   ok, bad, codes = 0, 0, {}
end

function response(status, headers, body)
   if status == expected then
      ok = ok + 1
   else
      bad = bad + 1
   end
   local key = tostring(status)
   codes[key] = (codes[key] or 0) + 1
end

function done(summary, latency, requests)
   local total_ok, total_bad, all_codes = 0, 0, {}
   for _, t in ipairs(threads) do
      total_ok = total_ok + t:get("ok")
      total_bad = total_bad + t:get("bad")
      for k, v in pairs(t:get("codes")) do
         all_codes[k] = (all_codes[k] or 0) + v
      end
   end
   local parts = {}
   for k, v in pairs(all_codes) do
      table.insert(parts, string.format('"%s": %d', k, v))
   end
   local e = summary.errors
   io.write(string.format(
      'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "expected": %d, '
      .. '"ok": %d, "bad": %d, "codes": {%s}, '
      .. '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, '
      .. '"latency_us": {"min": %d, "mean": %.1f, "stdev": %.1f, "max": %d, '
      .. '"p50": %d, "p75": %d, "p90": %d, "p99": %d, "p999": %d}}\n',
      summary.requests, summary.duration, summary.bytes, expected, total_ok, total_bad,
      table.concat(parts, ", "), e.connect, e.read, e.write, e.status, e.timeout,
      latency.min, latency.mean, latency.stdev, latency.max,
      latency:percentile(50), latency:percentile(75), latency:percentile(90),
      latency:percentile(99), latency:percentile(99.9)))
end
