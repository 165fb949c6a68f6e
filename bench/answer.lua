-- wrk script for the answer POST: each request answers a different (attempt, item).
--
--   wrk ... -s bench/answer.lua http://127.0.0.1:8141 -- LIST FIRST COUNT THREADS CSRFTOKEN
--
-- LIST is written by bench/run.py, one POST a line: path TAB urlencoded body TAB cookie
-- (session and csrftoken). Lines FIRST+1 … FIRST+COUNT are shared out among the threads. A
-- thread that runs out starts its share again: those requests are double submits that store
-- nothing, so run.py sizes the list to the run and counts them ("wrapped").
local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  local list, first, count, nthreads = args[1], tonumber(args[2]), tonumber(args[3]),
    tonumber(args[4])
  posts = {}
  local n = 0
  for line in io.lines(list) do
    n = n + 1
    if n > first and n <= first + count and (n - first - 1) % nthreads == id then
      local path, body, cookie = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)$")
      posts[#posts + 1] = { path, body, cookie }
    end
  end
  index = 0
  wrapped = 0
  headers = {
    ["HX-Request"] = "true",
    ["HX-Current-URL"] = "http://127.0.0.1/quiz/",
    ["X-CSRFToken"] = args[5],
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Accept-Encoding"] = "gzip, deflate, br",
  }
end

function request()
  index = index + 1
  if index > #posts then
    index = 1
    wrapped = wrapped + 1
  end
  local post = posts[index]
  headers["Cookie"] = post[3]
  return wrk.format("POST", post[1], headers, post[2])
end

function done(summary, latency, requests)
  local e = summary.errors
  local wraps = 0
  for _, thread in ipairs(threads) do
    wraps = wraps + (thread:get("wrapped") or 0)
  end
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,"connect":%d,"read":%d,' ..
    '"write":%d,"status":%d,"timeout":%d,"p50":%d,"p90":%d,"p95":%d,"p99":%d,"max":%d,"mean":%.1f,' ..
    '"wrapped":%d}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99),
    latency.max, latency.mean, wraps))
end
