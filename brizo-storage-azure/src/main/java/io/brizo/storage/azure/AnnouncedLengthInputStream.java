package io.brizo.storage.azure;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * The data of a write, counted, and cut off with an error as soon as it is longer or shorter than
 * announced: the SDK then aborts before it commits anything, so a wrong-length object is never
 * stored. It also records whether the data itself failed, so the driver can tell that apart from
 * a failure of Azure.
 */
final class AnnouncedLengthInputStream extends InputStream {
    /** Thrown into the SDK when the length differs from the announced one. */
    static final class LengthMismatch extends IOException {
        private static final long serialVersionUID = 1L;

        LengthMismatch(String message) {
            super(message);
        }
    }

    private final InputStream in;
    private final long announced; // -1 = unknown
    private volatile long count;
    private volatile LengthMismatch mismatch;
    private volatile IOException inputFailure;

    AnnouncedLengthInputStream(InputStream in, long announced) {
        this.in = Objects.requireNonNull(in, "data");
        this.announced = announced;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        int n;
        try {
            n = in.read(b, off, len);
        } catch (IOException e) {
            inputFailure = e;
            throw e;
        }
        if (n < 0) {
            if (announced >= 0 && count != announced) {
                throw mismatch();
            }
            return -1;
        }
        count += n;
        if (announced >= 0 && count > announced) {
            throw mismatch();
        }
        return n;
    }

    private LengthMismatch mismatch() {
        LengthMismatch m = new LengthMismatch(
                count > announced
                        ? "the data to write had more than the " + announced + " bytes announced"
                        : "the data to write had " + count + " bytes instead of the " + announced + " announced");
        mismatch = m;
        return m;
    }

    /** Does not close the data: it belongs to the caller of {@code write}. */
    @Override
    public void close() {}

    /** {@return the bytes read so far} */
    long count() {
        return count;
    }

    /** {@return the length mismatch that ended the data, or null} */
    LengthMismatch lengthMismatch() {
        return mismatch;
    }

    /** {@return the failure of the data itself, or null} */
    IOException inputFailure() {
        return inputFailure;
    }
}
