package io.brizo.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brizo.internal.compute.receipt.ComputeReceipts;
import io.brizo.internal.compute.receipt.Receipt;
import io.brizo.spi.AlgorithmContainer;
import io.brizo.spi.ComputeEnvironment;
import io.brizo.spi.JobEvidence;
import io.brizo.spi.JobState;
import io.brizo.spi.JobStatus;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Keys;

/**
 * The {@code verify-receipt} command on receipts that core builds and signs from a job's evidence
 * (what a backend reports), with outputs written to a folder as a consumer downloads them.
 */
class VerifyReceiptCommandTest {
    private static final byte[] COUNT = "42\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PLOT = {1, 2, 3, 4, 5};
    private static final byte[] LOG = "counting\nfound 42 lines\n".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();
    ECKeyPair provider;
    Path outputs;
    Path log;

    @BeforeEach
    void setUp() throws Exception {
        provider = Keys.createEcKeyPair();
        outputs = Files.createDirectories(dir.resolve("outputs"));
        Files.write(outputs.resolve("count.txt"), COUNT);
        Files.createDirectories(outputs.resolve("plots"));
        Files.write(outputs.resolve("plots/a.bin"), PLOT);
        log = Files.write(dir.resolve("algorithm.log"), LOG);
    }

    Path receipt(ECKeyPair key) throws Exception {
        JobStatus status = new JobStatus(
                "job-1",
                "0x" + "70".repeat(20),
                "12".repeat(32),
                JobState.SUCCEEDED,
                0,
                Instant.parse("2026-01-01T10:00:00Z"),
                Instant.parse("2026-01-01T10:00:01Z"),
                Instant.parse("2026-01-01T10:00:02Z"),
                null);
        JobEvidence evidence = new JobEvidence(
                "local",
                new ComputeEnvironment("local", "here", 2, 1L << 30, 0, Duration.ofHours(1)),
                Duration.ofMinutes(30),
                List.of("12".repeat(32)),
                null,
                new AlgorithmContainer("sh", null, null, "sh $ALGO"),
                null,
                List.of(new JobEvidence.FileDigest("algorithm", 10, sha256("echo 42\n".getBytes()))),
                List.of(new JobEvidence.InputDigest("did:op:" + "d1".repeat(32), 0, 100, "ab".repeat(32))),
                List.of(
                        new JobEvidence.FileDigest("count.txt", COUNT.length, sha256(COUNT)),
                        new JobEvidence.FileDigest("plots/a.bin", PLOT.length, sha256(PLOT))),
                new JobEvidence.FileDigest("algorithm.log", LOG.length, sha256(LOG)));
        Receipt r = new ComputeReceipts(key, null).receipt(status, evidence);
        return Files.writeString(dir.resolve("receipt.json"), r.json());
    }

    int run(String... args) {
        return VerifyReceiptCommand.run(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    String address() {
        return "0x" + Keys.getAddress(provider);
    }

    @Test
    void aGoodReceiptWithItsOutputsAndLogVerifies() throws Exception {
        Path file = receipt(provider);

        int code =
                run(file.toString(), "--provider", address(), "--outputs", outputs.toString(), "--log", log.toString());

        assertEquals(0, code, text(err));
        assertTrue(text(out).contains("signed by " + address()), text(out));
        assertTrue(text(out).contains("3 of 3"), text(out));
        assertTrue(text(out).contains("receipt verified"), text(out));
    }

    @Test
    void withoutAProviderItPrintsTheSigner() throws Exception {
        assertEquals(0, run(receipt(provider).toString()), text(err));
        assertTrue(text(out).contains("signed by " + address()), text(out));
    }

    @Test
    void aReceiptWithOneByteOfItsStatementChangedFails() throws Exception {
        Path file = receipt(provider);
        String json = Files.readString(file);
        Files.writeString(file, json.replace("\"exitCode\":0", "\"exitCode\":1"));

        assertEquals(1, run(file.toString(), "--provider", address()));
        assertOneLine(text(err));
    }

    @Test
    void aReceiptOfAnotherProviderFails() throws Exception {
        Path file = receipt(provider);

        assertEquals(1, run(file.toString(), "--provider", "0x" + "ab".repeat(20)));
        assertOneLine(text(err));
        assertTrue(text(err).contains("not by the provider"), text(err));
    }

    @Test
    void anOutputThatDoesNotMatchItsHashFails() throws Exception {
        Path file = receipt(provider);
        Files.write(outputs.resolve("plots/a.bin"), new byte[] {1, 2, 3, 4, 6});

        assertEquals(1, run(file.toString(), "--provider", address(), "--outputs", outputs.toString()));
        assertOneLine(text(err));
        assertTrue(text(err).contains("outputs/plots/a.bin"), text(err));
    }

    @Test
    void aMissingOutputOrADifferentLogFails() throws Exception {
        Path file = receipt(provider);
        Files.delete(outputs.resolve("count.txt"));
        assertEquals(1, run(file.toString(), "--outputs", outputs.toString()));

        Files.write(outputs.resolve("count.txt"), COUNT);
        Files.writeString(log, "another log\n");
        assertEquals(1, run(file.toString(), "--outputs", outputs.toString(), "--log", log.toString()));
    }

    @Test
    void anUnsignedReceiptFails() throws Exception {
        assertEquals(1, run(receipt(null).toString()));
        assertTrue(text(err).contains("unsigned"), text(err));
    }

    @Test
    void helpExplainsAndBadArgumentsAreUsageErrors() throws Exception {
        assertEquals(0, run("--help"));
        assertTrue(text(out).contains("verify-receipt FILE"), text(out));
        assertEquals(2, run());
        assertEquals(2, run(dir.resolve("none.json").toString()));
        assertEquals(2, run(receipt(provider).toString(), "--provider", "nope"));
        assertEquals(2, run(receipt(provider).toString(), "--outputs"));
    }

    @Test
    void aFileThatIsNotAReceiptFails() throws Exception {
        Path file = Files.writeString(dir.resolve("x.json"), "{\"a\": 1}");
        assertEquals(1, run(file.toString()));
        Files.writeString(file, "not json");
        assertEquals(1, run(file.toString()));
        // A good receipt with a second document after it, or a key given twice, is no receipt.
        String good = Files.readString(receipt(provider));
        Files.writeString(file, good + " {}");
        assertEquals(1, run(file.toString()));
        Files.writeString(file, good.replaceFirst("\\{", "{\"hash\":\"0x00\","));
        assertEquals(1, run(file.toString()));
        assertTrue(text(err).contains("twice"), text(err));
    }

    static void assertOneLine(String text) {
        assertEquals(1, text.strip().lines().count(), text);
    }

    static String text(ByteArrayOutputStream b) {
        return b.toString(StandardCharsets.UTF_8);
    }

    static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }
}
