package io.brizo.compute.local;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.brizo.spi.JobEvidence.FileDigest;
import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MaskedLogDigestTest {
    private static final PathMask MASK = new PathMask(List.of("/srv/jobs/j1", "/real/srv/jobs/j1"));

    @Test
    void theDigestIsOfTheWholeLogMaskedWhateverPiecesItArrivesIn() throws Exception {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        ByteArrayOutputStream shown = new ByteArrayOutputStream();
        Random random = new Random(42);
        // Spellings everywhere, so that many straddle the digest's 64 KiB chunks.
        while (raw.size() < 400_000) {
            int pick = random.nextInt(4);
            String raw1 = pick == 0 ? "/srv/jobs/j1" : pick == 1 ? "/real/srv/jobs/j1" : "x".repeat(random.nextInt(40));
            String shown1 = pick < 2 ? "/data" : raw1;
            raw.writeBytes(raw1.getBytes(UTF_8));
            shown.writeBytes(shown1.getBytes(UTF_8));
        }
        raw.writeBytes("/srv/jobs".getBytes(UTF_8)); // a prefix of a spelling at the very end stays
        shown.writeBytes("/srv/jobs".getBytes(UTF_8));
        byte[] bytes = raw.toByteArray();
        for (int piece : List.of(1, 7, 4096, 65_536, 100_000, bytes.length)) {
            MaskedLogDigest digest = new MaskedLogDigest(MASK);
            for (int off = 0; off < bytes.length; off += piece) {
                digest.update(bytes, off, Math.min(piece, bytes.length - off));
            }
            byte[] expected = shown.toByteArray();
            assertEquals(
                    new FileDigest(
                            "algorithm.log",
                            expected.length,
                            HexFormat.of()
                                    .formatHex(
                                            MessageDigest.getInstance("SHA-256").digest(expected))),
                    digest.finish(),
                    "in pieces of " + piece);
        }
    }

    @Test
    void anEmptyLogHasTheDigestOfNothing() throws Exception {
        assertEquals(
                new FileDigest(
                        "algorithm.log",
                        0,
                        HexFormat.of()
                                .formatHex(MessageDigest.getInstance("SHA-256").digest(new byte[0]))),
                new MaskedLogDigest(MASK).finish());
    }
}
