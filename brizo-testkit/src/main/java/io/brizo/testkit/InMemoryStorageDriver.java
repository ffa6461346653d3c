package io.brizo.testkit;

import io.brizo.spi.BrizoException;
import io.brizo.spi.ByteRange;
import io.brizo.spi.ErrorKind;
import io.brizo.spi.ObjectInfo;
import io.brizo.spi.StorageDriver;
import io.brizo.spi.StorageObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A thread-safe {@link StorageDriver} that keeps objects in memory under {@code mem:} locations,
 * such as {@code mem:/datasets/weather.csv}. For tests of code that uses storage drivers: it
 * behaves like a real store (ranges, missing objects, writes, deletes) and counts the streams not
 * yet closed, so a test can check that its code closes what it opens.
 *
 * <p>Objects are stored as given; {@link #put} copies the array. Locations are compared as
 * {@link URI}s, so {@code mem:/a} and {@code mem:///a} are different objects.
 */
public final class InMemoryStorageDriver implements StorageDriver {
    /** The URI scheme this driver handles. */
    public static final String SCHEME = "mem";

    private final Map<URI, Entry> objects = new ConcurrentHashMap<>();
    private final AtomicInteger openStreams = new AtomicInteger();
    private final Clock clock;

    private record Entry(byte[] content, String contentType, String md5, Instant lastModified) {}

    /** Creates an empty store. */
    public InMemoryStorageDriver() {
        this(Clock.systemUTC());
    }

    /** Creates an empty store that stamps objects with {@code clock}'s time. */
    public InMemoryStorageDriver(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** {@return {@code mem:/path}, a location of this driver} */
    public static URI location(String path) {
        return URI.create(SCHEME + ":/" + (path.startsWith("/") ? path.substring(1) : path));
    }

    /**
     * Stores an object, replacing any at the same location.
     *
     * @param location a {@code mem:} location
     * @param content the bytes; copied
     * @param contentType the content type to report, or null for none
     * @return the stored object's metadata
     */
    public ObjectInfo put(URI location, byte[] content, String contentType) {
        requireSupported(location);
        byte[] copy = content.clone();
        Entry e = new Entry(copy, contentType, md5(copy), clock.instant());
        objects.put(location, e);
        return info(e);
    }

    /** Removes the object at {@code location}, if there is one. */
    @Override
    public void delete(URI location) {
        requireSupported(location);
        objects.remove(location);
    }

    /** {@return a copy of the object's bytes, if there is one} */
    public Optional<byte[]> content(URI location) {
        Entry e = objects.get(location);
        return e == null ? Optional.empty() : Optional.of(e.content.clone());
    }

    /** {@return how many streams this driver opened that are not closed yet} */
    public int openStreamCount() {
        return openStreams.get();
    }

    @Override
    public String name() {
        return "memory";
    }

    @Override
    public boolean supports(URI location) {
        return location != null && SCHEME.equalsIgnoreCase(location.getScheme());
    }

    @Override
    public ObjectInfo stat(URI location) {
        return info(get(location));
    }

    @Override
    public StorageObject open(URI location, ByteRange range) {
        Entry e = get(location);
        ByteRange.Slice slice = range.resolve(e.content.length);
        InputStream in = new TrackedStream(e.content, (int) slice.offset(), (int) slice.length());
        openStreams.incrementAndGet();
        return new StorageObject(info(e), slice, in);
    }

    /** Stores the stream's bytes; this fake reads them into memory, so keep them small. */
    @Override
    public ObjectInfo write(URI location, InputStream data, long length, String contentType) {
        requireSupported(location);
        byte[] bytes;
        try {
            bytes = data.readAllBytes();
        } catch (IOException e) {
            throw new BrizoException(ErrorKind.UPSTREAM_FAILED, "reading the data to write failed", e, true);
        }
        if (length >= 0 && bytes.length != length) {
            throw BrizoException.invalid(
                    "the data to write had " + bytes.length + " bytes instead of the " + length + " announced");
        }
        return put(location, bytes, contentType);
    }

    private Entry get(URI location) {
        requireSupported(location);
        Entry e = objects.get(location);
        if (e == null) {
            throw BrizoException.notFound("the object of this asset does not exist");
        }
        return e;
    }

    private void requireSupported(URI location) {
        if (!supports(location)) {
            throw BrizoException.invalid("the in-memory storage driver handles only mem: locations");
        }
    }

    private static ObjectInfo info(Entry e) {
        return ObjectInfo.builder(e.content.length)
                .contentType(e.contentType)
                .md5(e.md5)
                .etag("\"" + e.md5 + "\"")
                .lastModified(e.lastModified)
                .build();
    }

    private static String md5(byte[] content) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("MD5").digest(content))
                    .toLowerCase(Locale.ROOT);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has MD5", e);
        }
    }

    @Override
    public String toString() {
        return "InMemoryStorageDriver{objects=" + objects.size() + "}";
    }

    /** A stream over part of an array that throws once closed and counts itself closed once. */
    private final class TrackedStream extends InputStream {
        private final byte[] buf;
        private final int end;
        private int pos;
        private boolean closed;

        TrackedStream(byte[] buf, int offset, int length) {
            this.buf = buf;
            this.pos = offset;
            this.end = offset + length;
        }

        @Override
        public synchronized int read() throws IOException {
            ensureOpen();
            return pos < end ? buf[pos++] & 0xff : -1;
        }

        @Override
        public synchronized int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            ensureOpen();
            if (len == 0) {
                return 0;
            }
            if (pos >= end) {
                return -1;
            }
            int n = Math.min(len, end - pos);
            System.arraycopy(buf, pos, b, off, n);
            pos += n;
            return n;
        }

        @Override
        public synchronized long skip(long n) throws IOException {
            ensureOpen();
            long k = Math.max(0, Math.min(n, end - pos));
            pos += (int) k;
            return k;
        }

        @Override
        public synchronized int available() throws IOException {
            ensureOpen();
            return end - pos;
        }

        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                openStreams.decrementAndGet();
            }
        }

        private void ensureOpen() throws IOException {
            if (closed) {
                throw new IOException("the stream is closed");
            }
        }
    }
}
