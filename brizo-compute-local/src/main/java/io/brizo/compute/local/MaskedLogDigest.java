package io.brizo.compute.local;

import io.brizo.spi.JobEvidence.FileDigest;
import io.brizo.spi.LogChunk;
import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * The SHA-256 and size of a job's log as its owner reads it, computed from the raw log's bytes as
 * they flow past once: the bytes go through the job's {@link PathMask} exactly as the log route
 * shows them (chunk after chunk from offset 0, each held back and resumed as {@link
 * PathMask#chunk} says), so a receipt's log digest matches the bytes the owner downloads.
 */
final class MaskedLogDigest {
    /** How many raw bytes are gathered before they are masked and digested. */
    private static final int CHUNK = 64 * 1024;

    private final PathMask mask;
    private final MessageDigest digest = Sha256.newDigest();
    /** Raw bytes from {@link #rawStart}, not yet all masked. */
    private byte[] raw = new byte[0];

    private long rawStart;
    /** The raw offset from which the masked log goes on. */
    private long offset;

    private long size;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

    MaskedLogDigest(PathMask mask) {
        this.mask = mask;
    }

    /** Takes the next raw bytes of the log. */
    void update(byte[] b, int off, int len) {
        pending.write(b, off, len);
        if (pending.size() >= CHUNK) {
            flush(false);
        }
    }

    /** {@return the digest of the whole masked log, named as the owner is offered it} */
    FileDigest finish() {
        flush(true);
        return new FileDigest(RecordedEvidence.LOG, size, Sha256.hex(digest));
    }

    private void flush(boolean last) {
        byte[] more = pending.toByteArray();
        pending.reset();
        byte[] window = Arrays.copyOf(raw, raw.length + more.length);
        System.arraycopy(more, 0, window, raw.length, more.length);
        LogChunk chunk = mask.chunk(window, rawStart, offset, !last, last);
        digest.update(chunk.data());
        size += chunk.data().length;
        offset = chunk.nextOffset();
        // Keep what the next chunk needs: the context before its offset, and what was held back.
        long keepFrom = Math.max(rawStart, offset - mask.context());
        raw = Arrays.copyOfRange(window, (int) (keepFrom - rawStart), window.length);
        rawStart = keepFrom;
    }
}
