package io.brizo.storage.ipfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brizo.testkit.PublisherFiles;
import io.brizo.testkit.PublisherProcess;
import io.brizo.testkit.TestConsumer;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole way: a publisher JVM with a 64 MiB heap (every driver on the class path discovered,
 * the ipfs one configured only by IPFS_GATEWAY) serves a signed consumer a 96 MiB file that lives
 * in the real Helia node, verifying it block by block as it streams, whole and as a range. Then
 * the gateway starts lying: a corrupt first block is a 502 before any byte, and a corrupt block in
 * the middle cuts the transfer off, so the consumer never holds a complete-looking bad file.
 */
class IpfsConsumeEndToEndTest {
    private static final int SIZE = 96 * 1024 * 1024 + 12_345;

    @Test
    void aPublisherWithA64MibHeapStreamsAVerifiedIpfsFileAndRefusesACorruptOne(@TempDir Path dir) throws Exception {
        byte[] content = CorruptingGatewayTest.bytes(SIZE, 31);
        String sha256 = HexFormat.of().formatHex(Multihash.sha256(content));
        try (IpfsGateway gateway = IpfsGateway.start()) {
            String cid = gateway.add(content, IpfsGateway.Layout.HELIA); // 97 leaves of 1 MiB
            String did = "did:op:" + "ab".repeat(32);
            String agreement = "0x" + "cd".repeat(32);
            TestConsumer consumer = TestConsumer.random();
            Path assets = PublisherFiles.writeAsset(
                    dir.resolve("assets.json"), did, URI.create("ipfs://" + cid), "application/octet-stream");
            Path grants =
                    PublisherFiles.writeAccessGrant(dir.resolve("grants.json"), agreement, did, consumer.address());
            try (PublisherProcess publisher = PublisherProcess.start(
                    Map.of(
                            "BRIZO_ASSETS", assets.toString(),
                            "BRIZO_GRANTS", grants.toString(),
                            "IPFS_GATEWAY", gateway.url()),
                    "64m",
                    dir)) {
                TestConsumer.Download whole = consumer.consume(publisher.uri(), agreement, 0, null);
                assertEquals(200, whole.status(), publisher::stderrTail);
                assertEquals(SIZE, whole.contentLength());
                assertEquals(SIZE, whole.bytes());
                assertEquals(sha256, whole.sha256());

                long first = 40L * 1024 * 1024 - 3;
                long last = first + 5 * 1024 * 1024;
                TestConsumer.Download part =
                        consumer.consume(publisher.uri(), agreement, 0, "bytes=" + first + "-" + last);
                assertEquals(206, part.status(), publisher::stderrTail);
                assertEquals(last - first + 1, part.bytes());
                assertEquals(
                        HexFormat.of()
                                .formatHex(Multihash.sha256(
                                        java.util.Arrays.copyOfRange(content, (int) first, (int) last + 1))),
                        part.sha256());

                List<IpfsGateway.Link> leaves = gateway.links(cid);
                gateway.corruptBlock(leaves.get(0).cid());
                TestConsumer.Download refused = consumer.consume(publisher.uri(), agreement, 0, null);
                assertEquals(502, refused.status(), "a corrupt first block fails before any byte");

                gateway.corruptEverything(false);
                gateway.corruptBlock(leaves.get(50).cid());
                assertThrows(
                        IOException.class,
                        () -> consumer.consume(publisher.uri(), agreement, 0, null),
                        "a corrupt block in the middle cuts the transfer off");
                assertTrue(publisher.isAlive(), publisher::stderrTail);
            }
        }
    }
}
