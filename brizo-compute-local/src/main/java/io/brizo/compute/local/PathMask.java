package io.brizo.compute.local;

import io.brizo.spi.LogChunk;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Shows a job's log as its owner may see it: every spelling of the job's directory on the server
 * replaced by {@code /data}, the job's own view (a traceback names {@code
 * /data/transformations/algorithm}, never where the server keeps jobs).
 *
 * <p>Logs are read in chunks by byte offset while they grow, so a spelling may be cut by a chunk's
 * end: a chunk then stops before the part that could still become one ({@link LogChunk#nextOffset}
 * says where the next read starts), and a read starting inside a spelling skips the rest of it.
 * Immutable.
 */
final class PathMask {
    static final byte[] VIEW = "/data".getBytes(StandardCharsets.UTF_8);

    /** The spellings, longest first, so a longer one wins where one is a prefix of another. */
    private final List<byte[]> spellings;

    private final int longest;

    /** @param spellings the job directory as the server may spell it; blank ones are ignored */
    PathMask(List<String> spellings) {
        Set<String> distinct = new LinkedHashSet<>();
        for (String s : spellings) {
            if (s != null && !s.isBlank()) {
                distinct.add(s);
            }
        }
        this.spellings = distinct.stream()
                .map(s -> s.getBytes(StandardCharsets.UTF_8))
                .sorted(Comparator.comparingInt((byte[] b) -> b.length).reversed())
                .toList();
        this.longest = this.spellings.isEmpty() ? 0 : this.spellings.get(0).length;
    }

    /** {@return how many bytes before a read's offset must be read too, to see a spelling it starts inside} */
    int context() {
        return Math.max(0, longest - 1);
    }

    /**
     * {@return the chunk from {@code offset} of {@code raw}, masked}
     *
     * @param raw log bytes starting at {@code rawStart}, which is at most {@link #context()} bytes
     *     before {@code offset}
     * @param rawStart the log offset of {@code raw[0]}
     * @param offset the offset the reader asked for
     * @param more whether the log may go on after {@code raw} (the job runs, or the read stopped
     *     short of the end); then a trailing part that may begin a spelling is held back
     * @param complete whether the log has ended with this chunk, when nothing is held back
     */
    LogChunk chunk(byte[] raw, long rawStart, long offset, boolean more, boolean complete) {
        int from = (int) (offset - rawStart);
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length);
        int i = Math.max(0, from - context());
        int end = raw.length;
        while (i < end) {
            byte[] hit = matchAt(raw, i);
            if (hit != null) {
                if (i >= from) {
                    out.write(VIEW, 0, VIEW.length);
                }
                i += hit.length;
                continue;
            }
            if (more && couldBegin(raw, i)) {
                end = i;
                break;
            }
            if (i >= from) {
                out.write(raw[i]);
            }
            i++;
        }
        long next = rawStart + Math.max(i, from);
        return new LogChunk(offset, out.toByteArray(), complete && end == raw.length, next);
    }

    private byte[] matchAt(byte[] raw, int i) {
        for (byte[] s : spellings) {
            if (i + s.length <= raw.length && Arrays.equals(raw, i, i + s.length, s, 0, s.length)) {
                return s;
            }
        }
        return null;
    }

    /** {@return whether the bytes from {@code i} to the end are a proper beginning of a spelling} */
    private boolean couldBegin(byte[] raw, int i) {
        int left = raw.length - i;
        for (byte[] s : spellings) {
            if (left < s.length && Arrays.equals(raw, i, raw.length, s, 0, left)) {
                return true;
            }
        }
        return false;
    }
}
