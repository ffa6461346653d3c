package io.brizo.testkit;

import io.brizo.spi.ByteRange;
import io.brizo.spi.ObjectInfo;
import io.brizo.spi.StorageDriver;
import io.brizo.spi.StorageObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.Arrays;
import java.util.Objects;

/**
 * A {@link StorageDriver} for what no real store does on demand: every location of its scheme is
 * an object of one fixed size whose bytes are generated as they are read (all {@code 'x'}), so it
 * can be far larger than memory, and it can fail midway through a read. For tests of what a
 * server does with a large download or a storage failure after the headers are sent.
 *
 * <pre>{@code
 * Brizo brizo = Brizo.builder()
 *         .storageDriver(SyntheticStorageDriver.failingAfter("fail", 1_000_000, 300_000))
 *         .storageDriver(SyntheticStorageDriver.of("large", 1L << 30))
 *         ...
 * }</pre>
 */
public final class SyntheticStorageDriver implements StorageDriver {
    private final String scheme;
    private final long size;
    private final long failAfter;

    private SyntheticStorageDriver(String scheme, long size, long failAfter) {
        this.scheme = Objects.requireNonNull(scheme, "scheme");
        if (size < 0 || failAfter < 0) {
            throw new IllegalArgumentException("size and failAfter must be 0 or more");
        }
        this.size = size;
        this.failAfter = failAfter;
    }

    /**
     * {@return a driver for {@code scheme:} locations, each an object of {@code size} bytes that
     * reads without failing}
     */
    public static SyntheticStorageDriver of(String scheme, long size) {
        return new SyntheticStorageDriver(scheme, size, Long.MAX_VALUE);
    }

    /**
     * {@return a driver for {@code scheme:} locations, each an object of {@code size} bytes whose
     * streams throw {@link IOException} once they have given {@code failAfter} bytes} Opening and
     * {@code stat} succeed, as with a store that fails in the middle of a transfer.
     */
    public static SyntheticStorageDriver failingAfter(String scheme, long size, long failAfter) {
        return new SyntheticStorageDriver(scheme, size, failAfter);
    }

    /** {@return the scheme, which is also the driver's name} */
    @Override
    public String name() {
        return scheme;
    }

    @Override
    public boolean supports(URI location) {
        return scheme.equals(location.getScheme());
    }

    @Override
    public ObjectInfo stat(URI location) {
        return ObjectInfo.builder(size).build();
    }

    @Override
    public StorageObject open(URI location, ByteRange range) {
        ByteRange.Slice slice = range.resolve(size);
        return new StorageObject(stat(location), slice, new InputStream() {
            private long served;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0];
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                Objects.checkFromIndexSize(off, len, b.length);
                if (served >= slice.length()) {
                    return -1;
                }
                if (served >= failAfter) {
                    throw new IOException("synthetic storage failure");
                }
                if (len == 0) {
                    return 0;
                }
                int n = (int) Math.min(len, Math.min(failAfter, slice.length()) - served);
                Arrays.fill(b, off, off + n, (byte) 'x');
                served += n;
                return n;
            }
        });
    }
}
