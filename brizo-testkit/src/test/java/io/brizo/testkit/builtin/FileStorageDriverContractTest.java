package io.brizo.testkit.builtin;

import io.brizo.internal.storage.FileStorageDriverFactory;
import io.brizo.spi.Settings;
import io.brizo.spi.StorageDriver;
import io.brizo.testkit.StorageDriverContract;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** Runs the storage driver contract against the built-in file driver over a temporary root. */
class FileStorageDriverContractTest extends StorageDriverContract {
    @TempDir
    Path root;

    private StorageDriver driver;

    @BeforeEach
    void createDriver() {
        driver = new FileStorageDriverFactory()
                .create(Settings.builder()
                        .put(FileStorageDriverFactory.ROOTS, root.toString())
                        .build())
                .orElseThrow();
    }

    @AfterEach
    void closeDriver() {
        driver.close();
    }

    @Override
    protected StorageDriver driver() {
        return driver;
    }

    @Override
    protected URI createObject(String name, byte[] content) throws Exception {
        return Files.write(root.resolve(name), content).toUri();
    }

    @Override
    protected URI missingObject() {
        return root.resolve("no-such-file.bin").toUri();
    }

    @Override
    protected Optional<URI> writableLocation(String name) {
        // A folder that does not exist yet: write must create it.
        return Optional.of(root.resolve("outputs").resolve(name).toUri());
    }
}
