package io.brizo.internal.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brizo.internal.compute.links.LinkingStorageAccess;
import io.brizo.internal.compute.links.TransferLinks;
import io.brizo.spi.BrizoException;
import io.brizo.spi.ByteRange;
import io.brizo.spi.ErrorKind;
import io.brizo.spi.ObjectInfo;
import io.brizo.spi.Settings;
import io.brizo.spi.StorageAccess;
import io.brizo.spi.StorageDriver;
import io.brizo.spi.StorageObject;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Deleting through the storage access that compute backends get. */
class StorageAccessDeleteTest {
    @TempDir
    Path root;

    private StorageDriver file;
    /**
     * A read-only store, as a driver that implements only reads is (the http driver is one; it is
     * not in this module): what is tested is the SPI's refusing default, so no server is needed.
     */
    private final StorageDriver readOnly = new StorageDriver() {
        @Override
        public String name() {
            return "read-only";
        }

        @Override
        public boolean supports(URI location) {
            return "https".equals(location.getScheme());
        }

        @Override
        public ObjectInfo stat(URI location) {
            throw BrizoException.notFound("nothing is stored here");
        }

        @Override
        public StorageObject open(URI location, ByteRange range) {
            throw BrizoException.notFound("nothing is stored here");
        }
    };

    private StorageRouter router;

    @BeforeEach
    void setUp() {
        file = new FileStorageDriverFactory()
                .create(Settings.builder()
                        .put(FileStorageDriverFactory.ROOTS, root.toString())
                        .build())
                .orElseThrow();
        router = new StorageRouter(List.of(file, readOnly));
    }

    @AfterEach
    void tearDown() {
        file.close();
    }

    @Test
    void routerDeletesThroughTheDriverOfTheLocation() throws Exception {
        Path output = Files.write(root.resolve("result.bin"), new byte[] {1});
        router.delete(output.toUri());
        assertFalse(Files.exists(output));
        router.delete(output.toUri());
    }

    @Test
    void linkingAccessDeletesThroughWhatItWraps() throws Exception {
        Path output = Files.write(root.resolve("linked.bin"), new byte[] {1});
        StorageAccess access = new LinkingStorageAccess(router, new TransferLinks(), null);
        access.delete(output.toUri());
        assertFalse(Files.exists(output));
    }

    @Test
    void readOnlyDriverRefusesDeleteAsConfiguration() {
        URI location = URI.create("https://127.0.0.1/private/object.bin");
        BrizoException e = assertThrows(BrizoException.class, () -> router.delete(location));
        assertEquals(ErrorKind.CONFIGURATION, e.kind(), e.toString());
        assertTrue(e.getMessage().contains("read-only"), e.getMessage());
        assertFalse(e.getMessage().contains("private"), e.getMessage());
    }

    @Test
    void accessWithoutDeleteRefusesItAsConfiguration() throws Exception {
        Path output = Files.write(root.resolve("kept.bin"), new byte[] {1});
        StorageAccess readOnly = new StorageAccess() {
            @Override
            public ObjectInfo stat(URI location) {
                return router.stat(location);
            }

            @Override
            public StorageObject open(URI location, ByteRange range) {
                return router.open(location, range);
            }

            @Override
            public Optional<URI> presignGet(URI location, Duration lifetime) {
                return Optional.empty();
            }

            @Override
            public ObjectInfo write(URI location, InputStream data, long length, String contentType) {
                return router.write(location, data, length, contentType);
            }
        };
        BrizoException e = assertThrows(BrizoException.class, () -> readOnly.delete(output.toUri()));
        assertEquals(ErrorKind.CONFIGURATION, e.kind());
        assertTrue(Files.exists(output));
    }
}
