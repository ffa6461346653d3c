package io.brizo.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PublisherProcessTest {
    static final String AGREEMENT = "ef".repeat(32);
    static final String DID = "did:op:" + "12".repeat(32);

    @TempDir
    Path dir;

    @Test
    void publisherInItsOwnSmallHeapServesAFileWholeAndByRange() throws Exception {
        Path root = Files.createDirectories(dir.resolve("data"));
        byte[] content = new byte[8 * 1024 * 1024];
        new Random(1).nextBytes(content);
        Path file = Files.write(root.resolve("sample.bin"), content);
        TestConsumer consumer = TestConsumer.random();
        Path assets =
                PublisherFiles.writeAsset(dir.resolve("assets.json"), DID, file.toUri(), "application/octet-stream");
        Path grants = PublisherFiles.writeAccessGrant(dir.resolve("grants.json"), AGREEMENT, DID, consumer.address());
        try (PublisherProcess publisher = PublisherProcess.start(
                Map.of(
                        "BRIZO_ASSETS", assets.toString(),
                        "BRIZO_GRANTS", grants.toString(),
                        "BRIZO_FILE_ROOTS", root.toString()),
                "64m",
                dir)) {
            TestConsumer.Download whole = consumer.consume(publisher.uri(), AGREEMENT, 0, null);
            assertEquals(200, whole.status());
            assertEquals(content.length, whole.bytes());
            assertEquals(sha256(content, 0, content.length), whole.sha256());

            TestConsumer.Download part = consumer.consume(publisher.uri(), AGREEMENT, 0, "bytes=100-199");
            assertEquals(206, part.status());
            assertEquals(sha256(content, 100, 100), part.sha256());
            assertTrue(publisher.isAlive(), publisher::stderrTail);
        }
    }

    static String sha256(byte[] data, int offset, int length) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update(data, offset, length);
        return HexFormat.of().formatHex(sha.digest());
    }
}
