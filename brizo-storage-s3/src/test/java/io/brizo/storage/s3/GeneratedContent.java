package io.brizo.storage.s3;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Deterministic pseudo-random content of any length, generated on the fly: the same seed gives
 * the same bytes, any part can be streamed from any offset, and nothing is ever held in memory
 * but one 64 KiB chunk. For objects too large to keep in a test's heap.
 */
final class GeneratedContent {
    private static final int CHUNK = 64 * 1024;

    private final long seed;
    private final long length;

    GeneratedContent(long seed, long length) {
        if (length < 0) {
            throw new IllegalArgumentException("length must be >= 0");
        }
        this.seed = seed;
        this.length = length;
    }

    long length() {
        return length;
    }

    /** {@return a new stream of all the bytes} */
    InputStream stream() {
        return stream(0, length);
    }

    /** {@return a new stream of {@code count} bytes from {@code offset}} */
    InputStream stream(long offset, long count) {
        Objects.checkFromIndexSize(offset, count, length);
        return new Stream(offset, offset + count);
    }

    /** {@return the SHA-256 of all the bytes, as lowercase hex} */
    String sha256() throws IOException {
        return sha256(0, length);
    }

    /** {@return the SHA-256 of {@code count} bytes from {@code offset}, as lowercase hex} */
    String sha256(long offset, long count) throws IOException {
        return sha256(stream(offset, count));
    }

    /** {@return the SHA-256 of everything {@code in} yields, as lowercase hex; closes it} */
    static String sha256(InputStream in) throws IOException {
        MessageDigest d = digest();
        byte[] buffer = new byte[CHUNK];
        try (in) {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                d.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(d.digest());
    }

    /** {@return the SHA-256 of {@code bytes}, as lowercase hex} */
    static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(digest().digest(bytes));
    }

    static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** The bytes of chunk {@code index}: a generator seeded by the content's seed and the index. */
    private void fillChunk(long index, byte[] chunk) {
        SplittableRandom random = new SplittableRandom(seed * 1_000_003L + index);
        for (int i = 0; i < CHUNK; i += 8) {
            long v = random.nextLong();
            for (int j = 0; j < 8; j++) {
                chunk[i + j] = (byte) (v >>> (8 * j));
            }
        }
    }

    private final class Stream extends InputStream {
        private final byte[] chunk = new byte[CHUNK];
        private final long end;
        private long position;
        private long chunkIndex = -1;

        Stream(long start, long end) {
            this.position = start;
            this.end = end;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            if (position >= end) {
                return -1;
            }
            long index = position / CHUNK;
            if (index != chunkIndex) {
                fillChunk(index, chunk);
                chunkIndex = index;
            }
            int inChunk = (int) (position % CHUNK);
            int n = (int) Math.min(Math.min(len, CHUNK - inChunk), end - position);
            System.arraycopy(chunk, inChunk, b, off, n);
            position += n;
            return n;
        }
    }
}
