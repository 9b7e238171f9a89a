-- wrk script for benchmarks/load.py: POSTs bodies picked at random from a file, and prints the phase's figures as
-- one JSON line when it is done.
--
-- Arguments (after wrk's "--"): path, content type, body file, "lines" (one body per line; "__EVENT__" in a body
-- becomes an event id unique to the run) or "binary" (the whole file is the one body), run id, and an optional
-- Authorization header value.

local next_thread = 1

function setup(thread)
  thread:set("thread_number", next_thread)
  next_thread = next_thread + 1
end

function init(args)
  path, content_type, body_file, mode, run_id, authorization = args[1], args[2], args[3], args[4], args[5], args[6]
  local file = assert(io.open(body_file, "rb"))
  bodies = {}
  if mode == "binary" then
    bodies[1] = file:read("*a")
  else
    for line in file:lines() do
      bodies[#bodies + 1] = line
    end
  end
  file:close()
  headers = { ["Content-Type"] = content_type }
  if authorization and authorization ~= "" then
    headers["Authorization"] = authorization
  end
  sent = 0
  -- Each thread its own sequence, the same in every run.
  math.randomseed(thread_number * 7919)
end

function request()
  sent = sent + 1
  local body = bodies[math.random(#bodies)]
  if mode ~= "binary" then
    body = body:gsub("__EVENT__", run_id .. "-" .. thread_number .. "-" .. sent, 1)
  end
  return wrk.format("POST", path, headers, body)
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "non_2xx": %d, "socket_errors": %d, "p50_us": %d, "p99_us": %d}\n',
    summary.requests, summary.duration, errors.status, errors.connect + errors.read + errors.write + errors.timeout,
    latency:percentile(50), latency:percentile(99)))
end
