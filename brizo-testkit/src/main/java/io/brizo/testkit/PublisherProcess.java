package io.brizo.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A publisher ({@link PublisherMain}) in a JVM of its own, with a heap limit, on a free port of
 * 127.0.0.1: for tests that prove memory stays flat (for example a 1 GiB download from a server
 * with {@code -Xmx64m}). The child gets the test's class path, so every driver the test can see.
 */
public final class PublisherProcess implements AutoCloseable {
    private static final Pattern READY = Pattern.compile("Brizo listening on (http://\\S+)");
    private static final Duration READY_DEADLINE = Duration.ofSeconds(60);

    private final Process process;
    private final Path stderr;
    private final URI uri;

    private PublisherProcess(Process process, Path stderr, URI uri) {
        this.process = process;
        this.stderr = stderr;
        this.uri = uri;
    }

    /**
     * Starts a publisher and waits until it is ready.
     *
     * @param settings environment variables for it (BRIZO_ASSETS, BRIZO_GRANTS, driver settings);
     *     BRIZO_PORT defaults to 0 and BRIZO_HOST to 127.0.0.1; inherited Brizo, keeper, Azure,
     *     AWS/S3, IPFS and provider variables are dropped so the test alone decides
     * @param maxHeap the {@code -Xmx} value, for example {@code 64m}
     * @param workDir where the child's standard error is kept
     */
    public static PublisherProcess start(Map<String, String> settings, String maxHeap, Path workDir)
            throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(
                java.toString(),
                "-Xmx" + maxHeap,
                // Die on the first OutOfMemoryError, so "still alive" means "never ran out".
                "-XX:+ExitOnOutOfMemoryError",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp",
                System.getProperty("java.class.path"),
                PublisherMain.class.getName()));
        ProcessBuilder builder = new ProcessBuilder(command);
        // Only the test decides the publisher's settings: drop anything the machine happens to set.
        builder.environment()
                .keySet()
                .removeIf(k -> k.startsWith("BRIZO_")
                        || k.startsWith("KEEPER_")
                        || k.startsWith("AZURE_")
                        || k.startsWith("AWS_")
                        || k.startsWith("S3_")
                        || k.startsWith("IPFS_")
                        || k.startsWith("PROVIDER_"));
        builder.environment().put("BRIZO_PORT", "0");
        builder.environment().put("BRIZO_HOST", "127.0.0.1");
        builder.environment().putAll(settings);
        Path stderr = Files.createTempFile(workDir, "publisher-", ".err");
        builder.redirectError(stderr.toFile());
        Process process = builder.start();
        try {
            URI uri = awaitReady(process, stderr);
            return new PublisherProcess(process, stderr, uri);
        } catch (IOException | RuntimeException | InterruptedException e) {
            stop(process);
            throw e;
        }
    }

    private static URI awaitReady(Process process, Path stderr) throws IOException, InterruptedException {
        BufferedReader out =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<URI> ready = CompletableFuture.supplyAsync(() -> {
            try {
                for (String line; (line = out.readLine()) != null; ) {
                    Matcher m = READY.matcher(line);
                    if (m.find()) {
                        return URI.create(m.group(1));
                    }
                }
                return null;
            } catch (IOException e) {
                return null;
            }
        });
        try {
            URI uri = ready.get(READY_DEADLINE.toSeconds(), TimeUnit.SECONDS);
            if (uri == null) {
                throw new IllegalStateException(
                        "the publisher exited before it was ready; its stderr:\n" + tail(stderr));
            }
            // Keep reading standard output so the child never blocks on a full pipe.
            Thread drain = new Thread(() -> {
                try {
                    while (out.readLine() != null) {
                        // discard
                    }
                } catch (IOException ignored) {
                    // The child ended.
                }
            });
            drain.setDaemon(true);
            drain.start();
            return uri;
        } catch (TimeoutException e) {
            throw new IllegalStateException("the publisher was not ready within " + READY_DEADLINE.toSeconds()
                    + " s; its stderr:\n" + tail(stderr));
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("waiting for the publisher failed", e.getCause());
        }
    }

    /** {@return the base URI, such as {@code http://127.0.0.1:41234}} */
    public URI uri() {
        return uri;
    }

    /** {@return whether the publisher is still running} */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** {@return the last lines of the publisher's standard error} */
    public String stderrTail() {
        return tail(stderr);
    }

    /** {@return the resident set size of the publisher in KiB, or -1 if unknown (non-Linux)} */
    public long rssKib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D+", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    private static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no stderr: " + e.getMessage() + ")";
        }
    }

    /** Stops the publisher (SIGTERM, then SIGKILL after 10 s). */
    @Override
    public void close() {
        try {
            stop(process);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static void stop(Process process) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
