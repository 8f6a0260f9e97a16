-- GET the petition page (wrk -s bench/page.lua URL); a 200 is a success.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "report.lua")
expected = 200
