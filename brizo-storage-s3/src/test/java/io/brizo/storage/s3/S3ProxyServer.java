package io.brizo.storage.s3;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3 server for the tests: S3Proxy, run as a separate process from its runnable jar
 * (which Maven copies to {@code target/s3proxy/} before the tests, see the module's pom), on
 * 127.0.0.1 and a free port, with credentials of its own that it enforces. Stopped by its own
 * process on {@link #close()}.
 *
 * <p>Fixtures are made with {@link #client()}, the SDK's own client, never with the driver under
 * test.
 */
public final class S3ProxyServer implements AutoCloseable {
    /** Jetty's line once it listens: {@code ServerConnector@1a2b{HTTP/1.1, (http/1.1)}{127.0.0.1:41234}}. */
    private static final Pattern READY = Pattern.compile("ServerConnector@\\S*\\{.*\\}\\{127\\.0\\.0\\.1:(\\d+)\\}");

    private static final Duration READY_DEADLINE = Duration.ofSeconds(60);
    public static final String REGION = "us-east-1";

    private final Process process;
    private final URI endpoint;
    private final String identity;
    private final String credential;
    private final Deque<String> output;
    private final S3Client client;

    private S3ProxyServer(Process process, URI endpoint, String identity, String credential, Deque<String> output) {
        this.process = process;
        this.endpoint = endpoint;
        this.identity = identity;
        this.credential = credential;
        this.output = output;
        this.client = S3Client.builder()
                .region(Region.of(REGION))
                .endpointOverride(endpoint)
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(identity, credential)))
                .build();
    }

    /** {@return a server that keeps objects in memory} */
    public static S3ProxyServer startInMemory(Path workDir) throws IOException, InterruptedException {
        return start(workDir, Map.of("jclouds.provider", "transient"));
    }

    /** {@return a server that keeps objects as files under {@code baseDir}, not in memory} */
    static S3ProxyServer startOnDisk(Path workDir, Path baseDir) throws IOException, InterruptedException {
        return start(
                workDir, Map.of("jclouds.provider", "filesystem", "jclouds.filesystem.basedir", baseDir.toString()));
    }

    private static S3ProxyServer start(Path workDir, Map<String, String> store)
            throws IOException, InterruptedException {
        Path jar = Path.of(System.getProperty("brizo.s3proxy.jar", "target/s3proxy/s3proxy-jar-missing.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("S3Proxy's jar is missing at " + jar
                    + "; run the tests through Maven, which copies it there (maven-dependency-plugin, fetch-s3proxy)");
        }
        String identity = "brizo-test-" + UUID.randomUUID().toString().substring(0, 8);
        String credential = "secret-" + UUID.randomUUID();
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("s3proxy.endpoint", "http://127.0.0.1:0");
        properties.put("s3proxy.authorization", "aws-v2-or-v4");
        properties.put("s3proxy.identity", identity);
        properties.put("s3proxy.credential", credential);
        properties.putAll(store);
        Properties p = new Properties();
        p.putAll(properties);
        Path file = Files.createTempFile(workDir, "s3proxy-", ".properties");
        try (OutputStream out = Files.newOutputStream(file)) {
            p.store(out, "S3Proxy for brizo-storage-s3 tests");
        }
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder builder = new ProcessBuilder(
                        List.of(java.toString(), "-Xmx256m", "-jar", jar.toString(), "--properties", file.toString()))
                .redirectErrorStream(true);
        // S3Proxy's logback configuration reads these; INFO keeps the ready line.
        builder.environment().put("LOG_LEVEL", "info");
        builder.environment().put("JETTY_LOG_LEVEL", "info");
        Process process = builder.start();
        Deque<String> output = new ArrayDeque<>();
        try {
            int port = awaitPort(process, output);
            return new S3ProxyServer(process, URI.create("http://127.0.0.1:" + port), identity, credential, output);
        } catch (RuntimeException | InterruptedException e) {
            stop(process);
            throw e;
        }
    }

    /**
     * Reads S3Proxy's output until Jetty names its port, then keeps reading it (so the process
     * never blocks on a full pipe), remembering the last lines for failure messages.
     */
    private static int awaitPort(Process process, Deque<String> output) throws InterruptedException {
        BufferedReader out =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread reader = new Thread(
                () -> {
                    try {
                        for (String line; (line = out.readLine()) != null; ) {
                            synchronized (output) {
                                output.addLast(line);
                                if (output.size() > 60) {
                                    output.removeFirst();
                                }
                            }
                            Matcher m = READY.matcher(line);
                            if (!port.isDone() && m.find()) {
                                port.complete(Integer.parseInt(m.group(1)));
                            }
                        }
                    } catch (IOException e) {
                        // The process ended.
                    }
                    port.complete(-1);
                },
                "s3proxy-output");
        reader.setDaemon(true);
        reader.start();
        try {
            int p = port.get(READY_DEADLINE.toSeconds(), TimeUnit.SECONDS);
            if (p < 0) {
                throw new IllegalStateException("S3Proxy exited before it listened:\n" + tail(output));
            }
            return p;
        } catch (TimeoutException e) {
            throw new IllegalStateException(
                    "S3Proxy did not listen within " + READY_DEADLINE.toSeconds() + " s:\n" + tail(output));
        } catch (ExecutionException e) {
            throw new IllegalStateException("waiting for S3Proxy failed", e.getCause());
        }
    }

    /** {@return the server's endpoint, {@code http://127.0.0.1:<port>}} */
    public URI endpoint() {
        return endpoint;
    }

    /** {@return the access key id the server accepts} */
    public String identity() {
        return identity;
    }

    /** {@return the secret the server accepts} */
    public String credential() {
        return credential;
    }

    /** {@return the SDK's own client for this server, for fixtures; closed with the server} */
    public S3Client client() {
        return client;
    }

    /** {@return the driver settings for this server, with its real credentials} */
    Map<String, String> driverSettings() {
        return Map.of(
                S3StorageDriverFactory.ENDPOINT, endpoint.toString(),
                S3StorageDriverFactory.REGION, REGION,
                S3StorageDriverFactory.ACCESS_KEY, identity,
                S3StorageDriverFactory.SECRET_KEY, credential);
    }

    /** {@return a new bucket with a unique name} */
    String createBucket(String prefix) {
        String bucket = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        client.createBucket(b -> b.bucket(bucket));
        return bucket;
    }

    /** {@return the last lines S3Proxy printed} */
    String outputTail() {
        return tail(output);
    }

    private static String tail(Deque<String> output) {
        synchronized (output) {
            return String.join("\n", output);
        }
    }

    @Override
    public void close() throws InterruptedException {
        try {
            client.close();
        } finally {
            stop(process);
        }
    }

    /** Stops S3Proxy by its own process: SIGTERM, then SIGKILL after 10 s. */
    private static void stop(Process process) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
