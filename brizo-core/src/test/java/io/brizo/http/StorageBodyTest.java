package io.brizo.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
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
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

    @TempDir
    Path dir;

    /** A real file of {@code size} bytes opened as the file driver opens one, for the slice of {@code range}. */
    StorageObject localFile(Path file, ByteRange range) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        long size = channel.size();
        ByteRange.Slice slice = range.resolve(size);
        return new StorageObject(
                ObjectInfo.builder(size).build(),
                slice,
                InputStream.nullInputStream(),
                new StorageObject.LocalFile(channel, file + "@" + size, file.toRealPath()));
    }

    static final int MIB = 1 << 20;

    static byte[] largeContent() {
        byte[] content = new byte[(int) MappedFiles.MAX_FILE * 2 + StorageBody.WINDOW / 2 + 123];
        new Random(11).nextBytes(content);
        return content;
    }

    @Test
    void aLargeLocalFileComesInMappedWindowsThatMakeUpTheSlice() throws IOException {
        byte[] content = largeContent();
        Path file = Files.write(dir.resolve("large.bin"), content);
        StorageObject object = localFile(file, ByteRange.from(1000));
        StorageBody body = new StorageBody(object, object.slice(), "large", BrizoMetrics.none(), "/r");
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        int parts = 0;
        try (HttpResponse.Chunks chunks = body.openChunks()) {
            for (ByteBuffer part; (part = chunks.next()) != null; parts++) {
                assertTrue(part.isReadOnly());
                assertTrue(part.remaining() <= MIB);
                byte[] b = new byte[part.remaining()];
                part.get(b);
                got.writeBytes(b);
            }
        }
        assertArrayEquals(Arrays.copyOfRange(content, 1000, content.length), got.toByteArray());
        assertEquals((content.length - 1000 + MIB - 1) / MIB, parts);
        assertFalse(object.localFile().orElseThrow().channel().isOpen());
    }

    @Test
    void aSmallPartOfALargeFileIsStreamedNotMapped() throws IOException {
        Path file = Files.write(dir.resolve("large.bin"), largeContent());
        StorageObject object = localFile(file, ByteRange.of(5, 5 + StorageBody.MIN_WINDOWED - 2));
        try (StorageObject o = object) {
            assertNull(new StorageBody(o, o.slice(), "large", BrizoMetrics.none(), "/r").openChunks());
        }
    }

    @Test
    void aLargeFileThatShrinksBetweenWindowsAbortsTheDownload() throws IOException {
        Path file = Files.write(dir.resolve("large.bin"), largeContent());
        StorageObject object = localFile(file, ByteRange.all());
        try (HttpResponse.Chunks chunks =
                new StorageBody(object, object.slice(), "large", BrizoMetrics.none(), "/r").openChunks()) {
            // The first window, handed out in parts of 1 MiB.
            for (int i = 0; i < StorageBody.WINDOW / MIB; i++) {
                assertEquals(MIB, chunks.next().remaining());
            }
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                ch.truncate(StorageBody.WINDOW + 10);
            }
            assertThrows(IOException.class, chunks::next);
        }
    }
}
