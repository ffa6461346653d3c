package io.brizo.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.brizo.http.BrizoHttpApi;
import io.brizo.testkit.PublisherFiles;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Keys;

/**
 * Flat memory whatever the size: a 4 GiB file goes whole, byte for byte, from a publisher whose
 * heap is 64 MiB, running as a separate JVM exactly as {@code serve} runs in production.
 */
class LargeFileConsumeTest {
    private static final long SIZE = 4L * 1024 * 1024 * 1024;
    private static final long FREE_SPACE_NEEDED = 9L * 1024 * 1024 * 1024;
    private static final int CHUNK = 1024 * 1024;
    private static final Duration READY_DEADLINE = Duration.ofSeconds(30);
    private static final Duration DOWNLOAD_DEADLINE = Duration.ofSeconds(150);
    private static final Duration STOP_DEADLINE = Duration.ofSeconds(10);
    private static final Pattern READY = Pattern.compile("Brizo listening on (http://\\S+)");
    private static final String AGREEMENT = "4b1d".repeat(16);
    private static final String DID = "did:op:" + "a5".repeat(32);

    @TempDir
    Path work;

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void fourGibFileAndSixtyFourConcurrentRangesArriveWholeFromAServerWith64MibHeap() throws Exception {
        long usable = Files.getFileStore(work).getUsableSpace();
        assertTrue(
                usable >= FREE_SPACE_NEEDED,
                () -> "this test writes a 4 GiB file and needs at least 9 GiB free on the file system of " + work
                        + ", but only " + usable / (1024 * 1024) + " MiB are free; free some space");

        Path storage = Files.createDirectories(work.resolve("storage"));
        Path dataset = storage.resolve("big.bin");
        try {
            long started = System.nanoTime();
            String expectedSha256 = writePseudoRandomFile(dataset, SIZE);
            log("wrote and hashed %d bytes in %.1f s", SIZE, seconds(started));

            ECKeyPair consumerKey = Keys.createEcKeyPair();
            String consumer = SignCommand.address(consumerKey);
            Path assets = PublisherFiles.writeAsset(
                    work.resolve("assets.json"), DID, dataset.toUri(), "application/octet-stream");
            Path grants = PublisherFiles.writeAccessGrant(work.resolve("grants.json"), AGREEMENT, DID, consumer);

            Path stderr = work.resolve("server.err");
            Process server = startServer(assets, grants, storage, stderr);
            try {
                URI base = awaitReadyLine(server, stderr);
                URI consume = URI.create(base + BrizoHttpApi.CONSUME + "?serviceAgreementId=" + AGREEMENT
                        + "&consumerAddress=" + consumer + "&signature=" + SignCommand.sign(consumerKey, AGREEMENT)
                        + "&index=0");

                long downloadStarted = System.nanoTime();
                Download download = downloadWithin(consume, DOWNLOAD_DEADLINE);
                double downloadSeconds = seconds(downloadStarted);
                log(
                        "downloaded %d bytes in %.1f s (%.0f MiB/s); server peak RSS %s",
                        download.bytes(),
                        downloadSeconds,
                        download.bytes() / 1048576.0 / downloadSeconds,
                        peakRss(server));

                assertEquals(200, download.status(), "status of the whole-file download");
                assertEquals(SIZE, download.contentLength(), "Content-Length");
                assertEquals(SIZE, download.bytes(), "bytes received");
                assertEquals(expectedSha256, download.sha256(), "SHA-256 of the bytes received");
                assertTrue(
                        server.isAlive(),
                        () -> "the server died during or after the download; its stderr:\n" + tail(stderr));

                // As many downloads at once as the default BRIZO_HTTP_THREADS: the heap holds a
                // buffer per active download, so this is what a 64 MiB heap must survive.
                long concurrentStarted = System.nanoTime();
                concurrentRangesMatch(consume, dataset, 64, 8L * 1024 * 1024);
                log(
                        "64 concurrent 8 MiB ranges in %.1f s; server peak RSS %s",
                        seconds(concurrentStarted), peakRss(server));
                assertTrue(
                        server.isAlive(),
                        () -> "the server died during the concurrent downloads; its stderr:\n" + tail(stderr));
            } finally {
                stop(server);
            }
            String errors = Files.readString(stderr, StandardCharsets.UTF_8);
            assertFalse(errors.contains("OutOfMemoryError"), () -> "the server ran out of memory:\n" + tail(stderr));
        } finally {
            Files.deleteIfExists(dataset);
        }
    }

    /**
     * Writes {@code size} bytes of SplitMix64 output (fixed seed) in 1 MiB chunks and returns their
     * SHA-256, computed while writing.
     */
    private static String writePseudoRandomFile(Path file, long size) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        ByteBuffer buffer = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
        long state = 0x2545F4914F6CDD1DL;
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (long written = 0; written < size; ) {
                buffer.clear();
                while (buffer.remaining() >= Long.BYTES) {
                    state += 0x9E3779B97F4A7C15L;
                    long z = state;
                    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
                    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
                    buffer.putLong(z ^ (z >>> 31));
                }
                int n = (int) Math.min(CHUNK, size - written);
                sha.update(buffer.array(), 0, n);
                buffer.position(0).limit(n);
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
                written += n;
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private Process startServer(Path assets, Path grants, Path storage, Path stderr) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx64m");
        // An OutOfMemoryError anywhere ends the process, so "still alive" below really means
        // "never ran out of memory", not "a handler thread died and the rest lives on".
        command.add("-XX:+ExitOnOutOfMemoryError");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Main.class.getName());
        command.add("serve");
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(stderr.toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("BRIZO_") || name.equals("PROVIDER_KEY"));
        builder.environment().put("BRIZO_HOST", "127.0.0.1");
        builder.environment().put("BRIZO_PORT", "0");
        builder.environment().put("BRIZO_ASSETS", assets.toString());
        builder.environment().put("BRIZO_GRANTS", grants.toString());
        builder.environment().put("BRIZO_FILE_ROOTS", storage.toString());
        return builder.start();
    }

    /**
     * Reads the server's stdout on a thread of its own until the ready line, then keeps draining
     * it so the server never blocks on a full pipe.
     *
     * @return the base URI from the ready line
     */
    private static URI awaitReadyLine(Process server, Path stderr) throws Exception {
        CompletableFuture<URI> ready = new CompletableFuture<>();
        Thread reader = new Thread(
                () -> {
                    try (BufferedReader lines = new BufferedReader(
                            new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))) {
                        for (String line; (line = lines.readLine()) != null; ) {
                            Matcher m = READY.matcher(line);
                            if (m.find()) {
                                ready.complete(URI.create(m.group(1)));
                            }
                        }
                        ready.completeExceptionally(
                                new IOException("the server closed its stdout before it was ready"));
                    } catch (IOException | RuntimeException e) {
                        ready.completeExceptionally(e);
                    }
                },
                "server-stdout");
        reader.setDaemon(true);
        reader.start();
        try {
            return ready.get(READY_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            return fail("the server did not print its ready line within " + READY_DEADLINE.toSeconds() + " s (" + e
                    + "); its stderr:\n" + tail(stderr));
        }
    }

    private record Download(int status, long contentLength, long bytes, String sha256) {}

    /**
     * Downloads {@code uri} with {@code BodyHandlers.ofInputStream()}, hashing the stream in 1 MiB
     * reads and never keeping it. Runs on a thread of its own so that a stuck transfer fails the
     * test at the deadline; the caller then stops the server, which ends the transfer.
     */
    private static Download downloadWithin(URI uri, Duration deadline) throws Exception {
        HttpClient client = client();
        CompletableFuture<Download> download = CompletableFuture.supplyAsync(() -> fetch(client, uri, null));
        try {
            return download.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            download.cancel(true);
            return fail("the download did not finish within " + deadline.toSeconds() + " s");
        } catch (ExecutionException e) {
            return fail(e.getCause().getMessage(), e.getCause());
        }
    }

    private static HttpClient client() {
        return HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(10))
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    /** Downloads {@code uri} (one {@code Range} if given), hashing the body without keeping it. */
    private static Download fetch(HttpClient client, URI uri, String range) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30));
            if (range != null) {
                request.header("Range", range);
            }
            HttpResponse<InputStream> response =
                    client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[64 * 1024];
            long bytes = 0;
            try (InputStream body = response.body()) {
                for (int n; (n = body.read(buffer)) >= 0; ) {
                    sha.update(buffer, 0, n);
                    bytes += n;
                }
            }
            return new Download(
                    response.statusCode(),
                    response.headers().firstValueAsLong("Content-Length").orElse(-1),
                    bytes,
                    HexFormat.of().formatHex(sha.digest()));
        } catch (Exception e) {
            throw new IllegalStateException("the download failed: " + e, e);
        }
    }

    /**
     * Runs {@code count} range downloads of {@code length} bytes at once, spread over the file,
     * and checks each against the same bytes read from disk.
     */
    private static void concurrentRangesMatch(URI consume, Path file, int count, long length) throws Exception {
        HttpClient client = client();
        ExecutorService pool = Executors.newFixedThreadPool(count);
        try {
            List<Future<Download>> downloads = new ArrayList<>();
            long stride = SIZE / count;
            for (int i = 0; i < count; i++) {
                long first = i * stride;
                String range = "bytes=" + first + "-" + (first + length - 1);
                downloads.add(pool.submit(() -> fetch(client, consume, range)));
            }
            for (int i = 0; i < count; i++) {
                Download d = downloads.get(i).get(DOWNLOAD_DEADLINE.toSeconds(), TimeUnit.SECONDS);
                assertEquals(206, d.status(), "status of range " + i);
                assertEquals(length, d.bytes(), "bytes of range " + i);
                assertEquals(sha256Of(file, i * stride, length), d.sha256(), "SHA-256 of range " + i);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static String sha256Of(Path file, long offset, long length) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocate(CHUNK);
            long position = offset;
            long end = offset + length;
            while (position < end) {
                buffer.clear().limit((int) Math.min(CHUNK, end - position));
                int n = in.read(buffer, position);
                if (n < 0) {
                    break;
                }
                sha.update(buffer.array(), 0, n);
                position += n;
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /** Asks the server to stop (SIGTERM), then kills it if it has not stopped by the deadline. */
    private static void stop(Process server) throws InterruptedException {
        server.destroy();
        if (!server.waitFor(STOP_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)) {
            server.destroyForcibly();
            server.waitFor(STOP_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** {@return the peak resident set size of the process, where Linux tells it, for the log} */
    private static String peakRss(Process process) {
        Path status = Path.of("/proc", Long.toString(process.pid()), "status");
        try {
            return Files.readAllLines(status).stream()
                    .filter(l -> l.startsWith("VmHWM:"))
                    .map(l -> l.substring("VmHWM:".length()).trim())
                    .findFirst()
                    .orElse("unknown");
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static String tail(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            return text.length() <= 4000 ? text : "..." + text.substring(text.length() - 4000);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static void log(String format, Object... args) {
        System.out.printf("[LargeFileConsumeTest] " + format + "%n", args);
    }
}
