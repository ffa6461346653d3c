package io.brizo.storage.azure;

import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.common.StorageSharedKeyCredential;
import io.brizo.spi.Settings;
import io.brizo.spi.StorageDriver;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;

/**
 * A real Azurite blob service for tests: {@code test-servers/node_modules/azurite} started with
 * {@code node} on 127.0.0.1 and a port Azurite picks, stopped by its own pid on {@link #close()}.
 * Fixtures are made with the SDK's own client ({@link #sdk()}), never with the driver under test.
 */
public final class Azurite implements AutoCloseable {
    /** Azurite's well-known development account. */
    static final String ACCOUNT = "devstoreaccount1";

    /** Its published development key: it guards nothing anywhere real. */
    static final String KEY =
            "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    /** The canonical host asset URLs use; the driver's endpoint setting sends them to Azurite. */
    static final String CANONICAL = "https://" + ACCOUNT + ".blob.core.windows.net";

    private static final Pattern LISTENING =
            Pattern.compile("successfully listens on (https?://127\\.0\\.0\\.1:(\\d+))");
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private final Process process;
    private final Thread shutdownHook;
    private final String endpoint;
    private final BlobServiceClient sdk;
    private final List<String> output;

    private Azurite(Process process, Thread shutdownHook, String endpoint, List<String> output, SSLContext ssl) {
        this.process = process;
        this.shutdownHook = shutdownHook;
        this.endpoint = endpoint;
        this.output = output;
        this.sdk = new BlobServiceClientBuilder()
                .endpoint(endpoint)
                .credential(new StorageSharedKeyCredential(ACCOUNT, KEY))
                .httpClient(
                        ssl == null
                                ? new JdkHttpClientBuilder().build()
                                : new JdkHttpClientBuilder(java.net.http.HttpClient.newBuilder()
                                                .sslContext(ssl))
                                        .build())
                .buildClient();
    }

    /** Starts Azurite keeping blobs in memory. */
    public static Azurite inMemory() throws IOException {
        return start(List.of("--inMemoryPersistence"));
    }

    /** Starts Azurite keeping blobs in {@code dir}, for objects too large for its memory. */
    static Azurite onDisk(Path dir) throws IOException {
        return start(List.of("--location", dir.toString()));
    }

    /**
     * Starts Azurite in memory over HTTPS with the certificate and key of {@code tls} (a PKCS#12
     * file), and with OAuth at its "basic" level: besides the account key, it then takes bearer
     * tokens, checking their issuer, audience and lifetime but not their signature.
     */
    static Azurite oauth(TestTls tls) throws IOException {
        return start(
                List.of(
                        "--inMemoryPersistence",
                        "--cert",
                        tls.pkcs12().toString(),
                        "--pwd",
                        tls.password(),
                        "--oauth",
                        "basic"),
                tls.context());
    }

    private static Azurite start(List<String> storage) throws IOException {
        return start(storage, null);
    }

    private static Azurite start(List<String> storage, SSLContext ssl) throws IOException {
        Path main = repositoryRoot().resolve("test-servers/node_modules/azurite/dist/src/blob/main.js");
        if (!Files.isRegularFile(main)) {
            throw new IllegalStateException("no " + main + ": run test-servers/install.sh (mvn verify runs it)");
        }
        List<String> command =
                new ArrayList<>(List.of("node", main.toString(), "--blobHost", "127.0.0.1", "--blobPort", "0"));
        command.addAll(storage);
        command.addAll(List.of("--skipApiVersionCheck", "--disableTelemetry", "--silent"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        // Started directly with node, never through npx, so its pid is Azurite's own.
        Process process = builder.start();
        Thread hook = new Thread(() -> stop(process), "stop-azurite-" + process.pid());
        Runtime.getRuntime().addShutdownHook(hook);
        List<String> output = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<String> ready = new CompletableFuture<>();
        Thread reader = new Thread(
                () -> {
                    try (BufferedReader in = new BufferedReader(
                            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                        for (String line; (line = in.readLine()) != null; ) {
                            output.add(line);
                            Matcher m = LISTENING.matcher(line);
                            if (m.find()) {
                                ready.complete(m.group(1));
                            }
                        }
                    } catch (IOException e) {
                        // Azurite ended.
                    }
                    ready.completeExceptionally(new IllegalStateException("Azurite exited: " + output));
                },
                "azurite-output-" + process.pid());
        reader.setDaemon(true);
        reader.start();
        try {
            String base = ready.get(READY_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            return new Azurite(process, hook, base + "/" + ACCOUNT, output, ssl);
        } catch (InterruptedException | ExecutionException | TimeoutException | RuntimeException e) {
            stop(process);
            Runtime.getRuntime().removeShutdownHook(hook);
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("Azurite did not start: " + output, e);
        }
    }

    /** {@return the blob endpoint, http://127.0.0.1:port/devstoreaccount1} */
    public String endpoint() {
        return endpoint;
    }

    /** {@return the SDK's own client with the account key, for fixtures} */
    BlobServiceClient sdk() {
        return sdk;
    }

    /** {@return the container, created if needed} */
    public BlobContainerClient container(String name) {
        BlobContainerClient c = sdk.getBlobContainerClient(name);
        c.createIfNotExists();
        return c;
    }

    /** {@return the canonical location of a blob} */
    public static URI canonical(String container, String blobPath) {
        return URI.create(CANONICAL + "/" + container + "/" + blobPath);
    }

    /** {@return settings for the driver: the account key, with the endpoint pointing here} */
    public Map<String, String> keySettings() {
        return Map.of(
                AzureBlobStorageDriverFactory.ACCOUNT_NAME, ACCOUNT,
                AzureBlobStorageDriverFactory.ACCOUNT_KEY, KEY,
                AzureBlobStorageDriverFactory.BLOB_ENDPOINT, endpoint);
    }

    /** {@return a driver made by the factory from {@code settings}} */
    static StorageDriver driver(Map<String, String> settings) {
        return new AzureBlobStorageDriverFactory()
                .create(Settings.builder().putAll(settings).build())
                .orElseThrow();
    }

    /** {@return what Azurite printed so far} */
    List<String> output() {
        synchronized (output) {
            return List.copyOf(output);
        }
    }

    @Override
    public void close() {
        stop(process);
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // The JVM is already shutting down; the hook stops it anyway.
        }
    }

    private static void stop(Process process) {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** The folder holding test-servers/, found by walking up from the working directory. */
    private static Path repositoryRoot() {
        Path start = Path.of("").toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("test-servers").resolve("package.json"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no test-servers/package.json in " + start + " or any folder above it");
    }
}
