-- wrk script of benchmarks/rest-load.sh.
-- With BENCH_DATA (base64) set: POST {"data": BENCH_DATA} with "Authorization: Bearer BENCH_TOKEN"
-- (a Tresor encrypt). Without it: plain GET (the hello-world ceiling).
-- At the end it prints one line for the shell script to read:
--   result <requests/s> <p50 µs> <p99 µs> <non-2xx answers> <socket errors>

local data = os.getenv("BENCH_DATA")
if data ~= nil and data ~= "" then
  wrk.method = "POST"
  wrk.body = '{"data":"' .. data .. '"}'
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. (os.getenv("BENCH_TOKEN") or "")
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format("result %.1f %d %d %d %d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(99),
    errors.status, errors.connect + errors.read + errors.write + errors.timeout))
end
