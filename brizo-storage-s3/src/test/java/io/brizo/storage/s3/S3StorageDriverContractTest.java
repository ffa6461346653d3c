package io.brizo.storage.s3;

import io.brizo.spi.Settings;
import io.brizo.spi.StorageDriver;
import io.brizo.testkit.StorageDriverContract;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;

/** The brizo-testkit contract, run by the S3 driver against a real S3 server (S3Proxy). */
class S3StorageDriverContractTest extends StorageDriverContract {
    @TempDir
    static Path workDir;

    static S3ProxyServer server;
    static String bucket;
    static StorageDriver driver;
    static StorageDriver driverWithWrongSecret;
    static final String WRONG_SECRET = "wrong-secret-0f9e8d7c6b5a";

    @BeforeAll
    static void start() throws Exception {
        server = S3ProxyServer.startInMemory(workDir);
        bucket = server.createBucket("contract");
        driver = new S3StorageDriverFactory()
                .create(Settings.builder().putAll(server.driverSettings()).build())
                .orElseThrow();
        driverWithWrongSecret = new S3StorageDriverFactory()
                .create(Settings.builder()
                        .putAll(server.driverSettings())
                        .put(S3StorageDriverFactory.SECRET_KEY, WRONG_SECRET)
                        // One attempt: a refusal is not retried anyway, and the test stays quick.
                        .put(S3StorageDriverFactory.MAX_ATTEMPTS, "1")
                        .build())
                .orElseThrow();
    }

    @AfterAll
    static void stop() throws Exception {
        if (driver != null) {
            driver.close();
        }
        if (driverWithWrongSecret != null) {
            driverWithWrongSecret.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Override
    protected StorageDriver driver() {
        return driver;
    }

    @Override
    protected URI createObject(String name, byte[] content) {
        // Through the SDK's own client, so the driver cannot pass by agreeing with itself.
        server.client()
                .putObject(
                        b -> b.bucket(bucket).key("data/" + name).contentType(contentType(name)),
                        RequestBody.fromBytes(content));
        return URI.create("s3://" + bucket + "/data/" + name);
    }

    @Override
    protected URI missingObject() {
        return URI.create("s3://" + bucket + "/data/no-such-object.bin");
    }

    @Override
    protected Optional<String> expectedContentType(String name) {
        return Optional.of(contentType(name));
    }

    @Override
    protected Optional<URI> writableLocation(String name) {
        return Optional.of(URI.create("s3://" + bucket + "/outputs/" + name));
    }

    @Override
    protected Optional<RefusedAccess> refusedAccess() {
        URI existing = createObject(name("guarded", ".bin"), content(10, 42));
        return Optional.of(new RefusedAccess(driverWithWrongSecret, existing, WRONG_SECRET));
    }

    private static String contentType(String name) {
        return name.endsWith(".txt") ? "text/plain" : "application/octet-stream";
    }
}
