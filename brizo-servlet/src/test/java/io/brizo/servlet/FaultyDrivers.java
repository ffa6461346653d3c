package io.brizo.servlet;

import io.brizo.spi.ByteRange;
import io.brizo.spi.ObjectInfo;
import io.brizo.spi.StorageDriver;
import io.brizo.spi.StorageObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.Arrays;

/**
 * Storage drivers for what no real store does on demand: fail halfway, or serve a file far larger
 * than any socket buffer without holding it.
 */
final class FaultyDrivers {
    private FaultyDrivers() {}

    /** Serves {@code size} bytes of 'x' for {@code scheme:} locations and throws after {@code failAfter}. */
    static StorageDriver failing(String scheme, long size, long failAfter) {
        return new StorageDriver() {
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
                    long served;

                    @Override
                    public int read() throws IOException {
                        byte[] one = new byte[1];
                        return read(one, 0, 1) < 0 ? -1 : one[0];
                    }

                    @Override
                    public int read(byte[] b, int off, int len) throws IOException {
                        if (served >= failAfter) {
                            throw new IOException("disk on fire");
                        }
                        int n = (int) Math.min(len, Math.min(failAfter, slice.length()) - served);
                        if (n <= 0) {
                            return -1;
                        }
                        Arrays.fill(b, off, off + n, (byte) 'x');
                        served += n;
                        return n;
                    }
                });
            }
        };
    }

    /** Serves {@code size} bytes of 'x' for {@code scheme:} locations, never failing. */
    static StorageDriver large(String scheme, long size) {
        return failing(scheme, size, Long.MAX_VALUE);
    }
}
