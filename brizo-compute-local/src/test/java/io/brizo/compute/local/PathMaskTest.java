package io.brizo.compute.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brizo.spi.LogChunk;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class PathMaskTest {
    static final String JOB = "/srv/brizo/jobs/0123abcd";
    static final PathMask MASK = new PathMask(List.of(JOB, "/real/disk/jobs/0123abcd", ""));

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String text(LogChunk c) {
        return new String(c.data(), StandardCharsets.UTF_8);
    }

    /** Reads a whole log as a client does, chunk after chunk from each next offset, at most {@code size} bytes a read. */
    static String readAll(String log, int size, boolean ended) {
        byte[] raw = bytes(log);
        StringBuilder out = new StringBuilder();
        long offset = 0;
        for (int reads = 0; reads < 10_000; reads++) {
            long start = Math.max(0, offset - MASK.context());
            int end = (int) Math.min(raw.length, offset + size);
            if (offset >= raw.length) {
                break;
            }
            byte[] part = Arrays.copyOfRange(raw, (int) start, end);
            boolean whole = ended && end == raw.length;
            LogChunk c = MASK.chunk(part, start, offset, !whole, whole);
            out.append(text(c));
            if (c.nextOffset() == offset && !whole) {
                break; // held back: nothing more until the log grows
            }
            offset = c.nextOffset();
        }
        return out.toString();
    }

    @Test
    void everySpellingOfTheJobDirectoryIsShownAsData() {
        String log = "Traceback: File \"" + JOB + "/transformations/algorithm\", line 3\n"
                + "cannot open /real/disk/jobs/0123abcd/inputs/x\n";
        LogChunk c = MASK.chunk(bytes(log), 0, 0, false, true);
        assertEquals(
                "Traceback: File \"/data/transformations/algorithm\", line 3\ncannot open /data/inputs/x\n", text(c));
        assertTrue(c.complete());
        assertEquals(log.length(), c.nextOffset());
    }

    @Test
    void aPathCutByTheChunkEndIsHeldBackUntilTheNextRead() {
        // Reads of at least a spelling's length always progress (the backend reads 1 MiB).
        String log = "start " + JOB + "/outputs end\n";
        for (int size = MASK.context() + 1; size <= log.length(); size++) {
            String seen = readAll(log, size, true);
            assertEquals("start /data/outputs end\n", seen, "chunks of " + size);
        }
    }

    @Test
    void aRunningJobsTrailingPartialPathIsNotShownYet() {
        String log = "ok " + JOB.substring(0, 10);
        LogChunk c = MASK.chunk(bytes(log), 0, 0, true, false);
        assertEquals("ok ", text(c));
        assertEquals(3, c.nextOffset());
        assertFalse(c.complete());
        LogChunk ended = MASK.chunk(bytes(log), 0, 0, false, true);
        assertEquals(log, text(ended), "once the log has ended, a partial spelling is just text");
    }

    @Test
    void aReadStartingInsideAPathSkipsTheRestOfIt() {
        String log = "a " + JOB + "/logs b";
        int inside = 2 + 5;
        long start = Math.max(0, inside - MASK.context());
        LogChunk c = MASK.chunk(Arrays.copyOfRange(bytes(log), (int) start, log.length()), start, inside, false, true);
        assertEquals("/logs b", text(c));
        assertFalse(text(c).contains("brizo"), text(c));
    }
}
