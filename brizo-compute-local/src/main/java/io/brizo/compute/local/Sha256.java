package io.brizo.compute.local;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256 of bytes as they flow past, for a job's evidence: staged inputs and algorithm, stored
 * outputs and log. Never reads anything itself.
 */
final class Sha256 {
    private Sha256() {}

    /** {@return a new SHA-256 digest} */
    static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** {@return the digest's value as 64 lowercase hex digits; resets it} */
    static String hex(MessageDigest digest) {
        return HexFormat.of().formatHex(digest.digest());
    }

    /**
     * A stream that digests and counts every byte read through it. Unlike {@link
     * java.security.DigestInputStream} it also counts, so a reader can tell whether the whole
     * file went through it.
     */
    static final class Reading extends FilterInputStream {
        /** Takes the bytes read, in order. */
        @FunctionalInterface
        interface Sink {
            void update(byte[] b, int off, int len);
        }

        private final MessageDigest digest = newDigest();
        private final Sink also;
        private long count;

        Reading(InputStream in) {
            this(in, (b, off, len) -> {});
        }

        /** Also hands every byte read to {@code also}. */
        Reading(InputStream in, Sink also) {
            super(in);
            this.also = also;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                digest.update((byte) b);
                also.update(new byte[] {(byte) b}, 0, 1);
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                digest.update(b, off, n);
                also.update(b, off, n);
                count += n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            // Skipped bytes would be missing from the digest: read them instead.
            byte[] buffer = new byte[(int) Math.min(8192, Math.max(0, n))];
            long skipped = 0;
            while (skipped < n) {
                int r = read(buffer, 0, (int) Math.min(buffer.length, n - skipped));
                if (r < 0) {
                    break;
                }
                skipped += r;
            }
            return skipped;
        }

        @Override
        public boolean markSupported() {
            return false;
        }

        @Override
        public synchronized void mark(int readlimit) {}

        @Override
        public synchronized void reset() throws IOException {
            throw new IOException("mark/reset not supported");
        }

        /** {@return how many bytes were read through this stream} */
        long count() {
            return count;
        }

        /** {@return the SHA-256 of the bytes read, hex; call once, after the last read} */
        String sha256() {
            return hex(digest);
        }
    }
}
