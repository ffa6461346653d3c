-- wrk script of bench/replicas.sh: each thread sends its own pre-signed consume requests (one nonce
-- each, from bench/SignNonces.java) in file order; `wrk ... -- PREFIX` reads PREFIX-<thread>.txt.
-- A thread that runs out of lines starts over: those replays are refused (401) and show in wrk's
-- non-2xx count, and done() says so, so an undersized file cannot pass unnoticed.
local threads = {}
local count = 0

function setup(thread)
    thread:set("id", count)
    count = count + 1
    table.insert(threads, thread)
end

function init(args)
    paths = {}
    local f = assert(io.open(args[1] .. "-" .. id .. ".txt", "r"))
    for line in f:lines() do
        paths[#paths + 1] = line
    end
    f:close()
    assert(#paths > 0, "no requests in " .. args[1] .. "-" .. id .. ".txt")
    i = 0
    wrapped = 0
end

function request()
    i = i + 1
    if i > #paths then
        i = 1
        wrapped = wrapped + 1
    end
    return wrk.format("GET", paths[i])
end

function done(summary, latency, requests)
    local wrapped_total = 0
    for _, t in ipairs(threads) do
        wrapped_total = wrapped_total + t:get("wrapped")
    end
    io.write(string.format("Lines exhausted: %d\n", wrapped_total))
end
