package io.brizo.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brizo.metrics.BrizoMetrics;
import io.brizo.spi.ByteRange;
import io.brizo.spi.ObjectInfo;
import io.brizo.spi.StorageObject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The pull side of a download body, {@link HttpResponse.Body#openStream()}, for non-blocking bindings. */
class StorageBodyTest {
    final AtomicBoolean closed = new AtomicBoolean();

    StorageObject object(byte[] content, long size) {
        InputStream in = new ByteArrayInputStream(content) {
            @Override
            public void close() {
                closed.set(true);
            }
        };
        return new StorageObject(
                ObjectInfo.builder(size).build(), ByteRange.all().resolve(size), in);
    }

    @Test
    void streamGivesExactlyTheSliceAndClosesTheStorageObject() throws IOException {
        byte[] content = "0123456789".getBytes(StandardCharsets.US_ASCII);
        StorageObject object = object(content, 10);
        try (InputStream in =
                new StorageBody(object, object.slice(), "file", BrizoMetrics.none(), "/route").openStream()) {
            assertArrayEquals(content, in.readAllBytes());
            assertEquals(-1, in.read());
        }
        assertTrue(closed.get());
    }

    @Test
    void storageEndingEarlyMakesTheStreamFailInsteadOfEnding() throws IOException {
        StorageObject object = object("01234".getBytes(StandardCharsets.US_ASCII), 10);
        try (InputStream in =
                new StorageBody(object, object.slice(), "file", BrizoMetrics.none(), "/route").openStream()) {
            assertEquals(5, in.readNBytes(new byte[5], 0, 5));
            assertThrows(IOException.class, in::read);
            // A failed stream stays failed: a binding that reads again must not see an end.
            assertThrows(IOException.class, in::read);
        }
        assertTrue(closed.get());
    }

    @Test
    void closingAnUnreadStreamReleasesTheStorageObject() throws IOException {
        StorageObject object = object(new byte[10], 10);
        new StorageBody(object, object.slice(), "file", BrizoMetrics.none(), "/route")
                .openStream()
                .close();
        assertTrue(closed.get());
    }

    @Test
    void bytesBodiesCanBePulledToo() throws IOException {
        HttpResponse r = HttpResponse.json(200, "{\"a\":1}", java.util.List.of());
        ByteArrayOutputStream written = new ByteArrayOutputStream();
        r.body().writeTo(written);
        try (InputStream in = r.body().openStream()) {
            assertArrayEquals(written.toByteArray(), in.readAllBytes());
        }
        assertEquals(r.contentLength(), written.size());
    }
}
