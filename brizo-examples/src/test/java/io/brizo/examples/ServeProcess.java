package io.brizo.examples;

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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code serve} (the jar's {@link Main}) in a JVM of its own on a free port of 127.0.0.1, as it
 * runs in production: its stdout lines are collected, its stderr kept in a file.
 */
final class ServeProcess implements AutoCloseable {
    private static final Pattern READY = Pattern.compile("Brizo listening on (https?://\\S+)");
    private static final Duration READY_DEADLINE = Duration.ofSeconds(30);

    private final Process process;
    private final Path stderr;
    private final List<String> stdout = new CopyOnWriteArrayList<>();

    private ServeProcess(Process process, Path stderr) {
        this.process = process;
        this.stderr = stderr;
        Thread reader = new Thread(
                () -> {
                    try (BufferedReader lines = new BufferedReader(
                            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                        for (String line; (line = lines.readLine()) != null; ) {
                            stdout.add(line);
                        }
                    } catch (IOException ignored) {
                        // the child ended
                    }
                },
                "serve-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code serve} with these settings (and args) and returns without waiting. */
    static ServeProcess launch(Map<String, String> settings, Path workDir, String... args) throws IOException {
        return launchIn(null, settings, workDir, args);
    }

    /**
     * Starts {@code serve} in working directory {@code directory} (null: this process's), where
     * it looks for {@code config.ini} as the Python Brizo did, and returns without waiting.
     */
    static ServeProcess launchIn(Path directory, Map<String, String> settings, Path workDir, String... args)
            throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m",
                "-XX:+ExitOnOutOfMemoryError",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName(),
                "serve"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        if (directory != null) {
            builder.directory(directory.toFile());
        }
        builder.environment()
                .keySet()
                .removeIf(k -> k.startsWith("BRIZO_")
                        || k.startsWith("KEEPER_")
                        || k.startsWith("AZURE_")
                        || k.startsWith("AWS_")
                        || k.startsWith("S3_")
                        || k.startsWith("IPFS_")
                        || k.startsWith("PROVIDER_")
                        || k.equals("CONFIG_FILE"));
        builder.environment().put("BRIZO_HOST", "127.0.0.1");
        builder.environment().put("BRIZO_PORT", "0");
        builder.environment().putAll(settings);
        Path stderr = Files.createTempFile(workDir, "serve-", ".err");
        builder.redirectError(stderr.toFile());
        return new ServeProcess(builder.start(), stderr);
    }

    /** Starts {@code serve} and waits for its ready lines. */
    static ServeProcess start(Map<String, String> settings, Path workDir) throws IOException {
        return startIn(null, settings, workDir);
    }

    /** Starts {@code serve} in working directory {@code directory} and waits for its ready lines. */
    static ServeProcess startIn(Path directory, Map<String, String> settings, Path workDir, String... args)
            throws IOException {
        ServeProcess serve = launchIn(directory, settings, workDir, args);
        try {
            serve.await(() -> !serve.uris().isEmpty(), READY_DEADLINE, "the ready line");
            return serve;
        } catch (RuntimeException e) {
            serve.close();
            throw e;
        }
    }

    /** {@return the URIs of the ready lines so far, the main one first} */
    List<URI> uris() {
        List<URI> uris = new ArrayList<>();
        for (String line : stdout) {
            Matcher m = READY.matcher(line);
            if (m.find()) {
                uris.add(URI.create(m.group(1)));
            }
        }
        return uris;
    }

    URI uri() {
        return uris().get(0);
    }

    List<String> stdout() {
        return List.copyOf(stdout);
    }

    String stderr() {
        try {
            return Files.readString(stderr, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    Process process() {
        return process;
    }

    /** {@return the exit code once the child ended within the deadline} */
    int exitCode(Duration deadline) throws InterruptedException {
        if (!process.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError(
                    "serve did not end within " + deadline.toSeconds() + " s; its stderr:\n" + tail(stderr()));
        }
        // Let the stdout reader see the last lines.
        await(() -> true, Duration.ofSeconds(1), "stdout");
        return process.exitValue();
    }

    /** Polls {@code condition} until it holds, failing with the child's stderr at the deadline. */
    void await(BooleanSupplier condition, Duration deadline, String what) {
        long end = System.nanoTime() + deadline.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("no " + what + " within " + deadline.toSeconds() + " s; serve "
                        + (process.isAlive() ? "runs" : "exited with " + process.exitValue()) + "; its stderr:\n"
                        + tail(stderr()));
            }
            try {
                // Paces the poll on the child (returns at once if it has ended).
                process.waitFor(20, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }

    static String tail(String text) {
        return text.length() <= 4000 ? text : "..." + text.substring(text.length() - 4000);
    }

    /** Stops the child: SIGTERM, then SIGKILL after 15 s. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
