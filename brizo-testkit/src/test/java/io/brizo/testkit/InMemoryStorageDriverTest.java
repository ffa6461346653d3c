package io.brizo.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.brizo.spi.BrizoException;
import io.brizo.spi.ByteRange;
import io.brizo.spi.ErrorKind;
import io.brizo.spi.ObjectInfo;
import io.brizo.spi.StorageDriver;
import io.brizo.spi.StorageObject;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.URLConnection;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class InMemoryStorageDriverTest extends StorageDriverContract {
    private final InMemoryStorageDriver driver = new InMemoryStorageDriver();

    @Override
    protected StorageDriver driver() {
        return driver;
    }

    @Override
    protected URI createObject(String name, byte[] content) {
        URI uri = InMemoryStorageDriver.location("contract/" + name);
        driver.put(uri, content, URLConnection.guessContentTypeFromName(name));
        return uri;
    }

    @Override
    protected URI missingObject() {
        return InMemoryStorageDriver.location("contract/no-such-object.bin");
    }

    @Override
    protected Optional<String> expectedContentType(String name) {
        return Optional.ofNullable(URLConnection.guessContentTypeFromName(name));
    }

    @Override
    protected Optional<URI> writableLocation(String name) {
        return Optional.of(InMemoryStorageDriver.location("contract/out/" + name));
    }

    @Test
    void everyOpenedStreamIsCountedUntilClosed() throws Exception {
        URI uri = createObject(name("count", ".bin"), content(100, 1));
        StorageObject a = driver.open(uri, ByteRange.all());
        StorageObject b = driver.open(uri, ByteRange.of(0, 9));
        assertEquals(2, driver.openStreamCount());
        a.close();
        a.close();
        assertEquals(1, driver.openStreamCount());
        b.close();
        assertEquals(0, driver.openStreamCount());
    }

    @Test
    void putCopiesTheContentSoLaterChangesDoNotLeakIn() throws Exception {
        byte[] content = {1, 2, 3};
        URI uri = InMemoryStorageDriver.location("copy.bin");
        driver.put(uri, content, null);
        content[0] = 9;
        try (StorageObject o = driver.open(uri, ByteRange.all())) {
            assertArrayEquals(new byte[] {1, 2, 3}, o.stream().readAllBytes());
        }
    }

    @Test
    void writeStoresTheBytesAndReportsThem() {
        URI uri = InMemoryStorageDriver.location("out/result.json");
        ObjectInfo info = driver.write(uri, new ByteArrayInputStream(new byte[] {'{', '}'}), 2, "application/json");
        assertEquals(2, info.size());
        assertEquals(Optional.of("application/json"), driver.stat(uri).contentType());
        assertArrayEquals(new byte[] {'{', '}'}, driver.content(uri).orElseThrow());
    }

    @Test
    void writeOfFewerBytesThanAnnouncedIsRefusedAndStoresNothing() {
        URI uri = InMemoryStorageDriver.location("out/short.bin");
        BrizoException e = assertThrows(
                BrizoException.class, () -> driver.write(uri, new ByteArrayInputStream(new byte[3]), 10, null));
        assertEquals(ErrorKind.INVALID_REQUEST, e.kind());
        assertFalse(driver.content(uri).isPresent());
    }

    @Test
    void otherSchemesAreNotSupportedAndRefused() {
        URI other = URI.create("file:///etc/hostname");
        assertFalse(driver.supports(other));
        assertEquals(
                ErrorKind.INVALID_REQUEST,
                assertThrows(BrizoException.class, () -> driver.stat(other)).kind());
    }

    @Test
    void objectsAreStampedWithTheClocksTime() {
        Instant now = Instant.parse("2024-05-01T10:00:00Z");
        InMemoryStorageDriver stamped = new InMemoryStorageDriver(Clock.fixed(now, ZoneOffset.UTC));
        URI uri = InMemoryStorageDriver.location("stamped.bin");
        stamped.put(uri, new byte[1], null);
        assertEquals(Optional.of(now), stamped.stat(uri).lastModified());
    }
}
