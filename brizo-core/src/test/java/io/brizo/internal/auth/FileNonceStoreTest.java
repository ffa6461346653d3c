package io.brizo.internal.auth;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brizo.auth.NonceStore;
import io.brizo.spi.BrizoException;
import io.brizo.spi.ErrorKind;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal file store's own behaviour: repair, corruption, locking, compaction and failing
 * disks. What every store must do is in {@code NonceStoreContract}, run against this store by
 * brizo-testkit's {@code FileNonceStoreContractTest}.
 */
class FileNonceStoreTest {
    static final String ALICE = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266";
    static final String BOB = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";

    @TempDir
    Path dir;

    private Path journal() {
        return dir.resolve("nonces");
    }

    @Test
    void missingDirectoriesAreCreated() {
        Path nested = dir.resolve("a/b/nonces");
        try (NonceStore store = NonceStore.file(nested)) {
            assertTrue(store.tryAccept(ALICE, 1));
        }
        assertTrue(Files.isRegularFile(nested));
    }

    @Test
    void tornLastLineIsDroppedAndTheJournalRepaired() throws Exception {
        try (NonceStore store = NonceStore.file(journal())) {
            assertTrue(store.tryAccept(ALICE, 5));
        }
        // a crash in the middle of appending "<BOB> 9 <crc>\n"
        Files.writeString(journal(), BOB + " 9", StandardOpenOption.APPEND);
        try (NonceStore store = NonceStore.file(journal())) {
            assertFalse(store.tryAccept(ALICE, 5));
            assertTrue(store.tryAccept(BOB, 9), "the torn entry was never acknowledged");
            assertTrue(store.tryAccept(ALICE, 6));
        }
        try (NonceStore store = NonceStore.file(journal())) {
            assertFalse(store.tryAccept(BOB, 9));
            assertFalse(store.tryAccept(ALICE, 6));
        }
        assertJournalIsClean();
    }

    @Test
    void lastLineWithWrongChecksumIsTreatedAsTorn() throws Exception {
        try (NonceStore store = NonceStore.file(journal())) {
            assertTrue(store.tryAccept(ALICE, 5));
        }
        Files.writeString(journal(), BOB + " 9 00000000\n", StandardOpenOption.APPEND);
        try (NonceStore store = NonceStore.file(journal())) {
            assertTrue(store.tryAccept(BOB, 9));
            assertFalse(store.tryAccept(ALICE, 5));
        }
        assertJournalIsClean();
    }

    @Test
    void corruptLineBeforeTheEndRefusesToOpenAndLeavesTheFileAlone() throws Exception {
        try (NonceStore store = NonceStore.file(journal())) {
            assertTrue(store.tryAccept(ALICE, 5));
            assertTrue(store.tryAccept(BOB, 5));
        }
        List<String> lines = Files.readAllLines(journal(), UTF_8);
        lines.set(1, lines.get(1).replace(" 5 ", " 4 "));
        Files.write(journal(), lines, UTF_8);
        byte[] before = Files.readAllBytes(journal());
        BrizoException e = assertThrows(BrizoException.class, () -> NonceStore.file(journal()));
        assertEquals(ErrorKind.CONFIGURATION, e.kind());
        assertTrue(e.getMessage().contains("corrupt at line 2"), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(journal()));
        // the failed open must not keep the file locked
        Files.write(journal(), lines.subList(0, 1), UTF_8);
        NonceStore.file(journal()).close();
    }

    @Test
    void fileThatIsNotAJournalIsRefusedAndLeftAlone() throws Exception {
        Files.writeString(journal(), "important: do not overwrite\n");
        BrizoException e = assertThrows(BrizoException.class, () -> NonceStore.file(journal()));
        assertEquals(ErrorKind.CONFIGURATION, e.kind());
        assertTrue(e.getMessage().contains("not a Brizo nonce journal"), e.getMessage());
        assertEquals("important: do not overwrite\n", Files.readString(journal()));
    }

    @Test
    void emptyFileBecomesAJournal() throws Exception {
        Files.createFile(journal());
        try (NonceStore store = NonceStore.file(journal())) {
            assertTrue(store.tryAccept(ALICE, 1));
        }
        assertJournalIsClean();
    }

    @Test
    void leftoverTempFileFromAnInterruptedCompactionIsIgnored() throws Exception {
        try (NonceStore store = NonceStore.file(journal())) {
            assertTrue(store.tryAccept(ALICE, 5));
        }
        Files.writeString(dir.resolve("nonces.tmp"), FileNonceStore.HEADER + "\n" + ALICE + " 1");
        try (NonceStore store = NonceStore.file(journal())) {
            assertFalse(store.tryAccept(ALICE, 5));
            assertTrue(store.tryAccept(ALICE, 6));
        }
    }

    @Test
    void secondOpenInThisProcessFailsWithConfiguration() {
        try (NonceStore first = NonceStore.file(journal())) {
            BrizoException e = assertThrows(BrizoException.class, () -> NonceStore.file(journal()));
            assertEquals(ErrorKind.CONFIGURATION, e.kind());
            assertTrue(e.getMessage().contains("already open in this process"), e.getMessage());
            assertTrue(first.tryAccept(ALICE, 1));
        }
        try (NonceStore again = NonceStore.file(journal())) {
            assertFalse(again.tryAccept(ALICE, 1));
        }
    }

    @Test
    void openWhileAnotherProcessHoldsTheFileFailsWithConfiguration() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process holder = new ProcessBuilder(
                        java,
                        "-cp",
                        System.getProperty("java.class.path"),
                        NonceFileHolder.class.getName(),
                        journal().toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), UTF_8));
            assertEquals("open", out.readLine());
            BrizoException e = assertThrows(BrizoException.class, () -> NonceStore.file(journal()));
            assertEquals(ErrorKind.CONFIGURATION, e.kind());
            assertTrue(e.getMessage().contains("in use by another process"), e.getMessage());
            holder.getOutputStream().close();
            assertTrue(holder.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, holder.exitValue());
        } finally {
            holder.destroyForcibly();
        }
        try (NonceStore store = NonceStore.file(journal())) {
            assertTrue(store.tryAccept(ALICE, 1));
        }
    }

    @Test
    void compactionKeepsTheLatestNonceOfEveryAddress() throws Exception {
        String[] addresses = new String[6];
        for (int i = 0; i < addresses.length; i++) {
            addresses[i] = String.format("0x%040x", i + 1);
        }
        int threshold = 8;
        try (NonceStore store = FileNonceStore.open(journal(), threshold, FileChannel::open)) {
            for (int round = 1; round <= 50; round++) {
                for (int i = 0; i < addresses.length; i++) {
                    assertTrue(store.tryAccept(addresses[i], round * 10L + i));
                }
                long entries = Files.readAllLines(journal(), UTF_8).size() - 1;
                assertTrue(entries <= 2L * addresses.length + threshold, "journal not compacted: " + entries);
            }
        }
        try (NonceStore store = NonceStore.file(journal())) {
            for (int i = 0; i < addresses.length; i++) {
                assertFalse(store.tryAccept(addresses[i], 500L + i), addresses[i]);
                assertTrue(store.tryAccept(addresses[i], 501L + i), addresses[i]);
            }
        }
        assertJournalIsClean();
    }

    @Test
    void failedWriteRejectsTheNonceAndTheStoreRecoversAfterwards() throws Exception {
        FaultyFileChannel.Faults faults = new FaultyFileChannel.Faults();
        try (NonceStore store =
                FileNonceStore.open(journal(), 1000, (p, o) -> new FaultyFileChannel(FileChannel.open(p, o), faults))) {
            assertTrue(store.tryAccept(ALICE, 1));
            faults.failWrites = true;
            BrizoException e = assertThrows(BrizoException.class, () -> store.tryAccept(ALICE, 2));
            assertEquals(ErrorKind.UNAVAILABLE, e.kind());
            assertTrue(e.retryable());
            // still failing: the repair of the torn tail fails too, and nothing is accepted
            assertEquals(
                    ErrorKind.UNAVAILABLE,
                    assertThrows(BrizoException.class, () -> store.tryAccept(BOB, 1))
                            .kind());
            faults.failWrites = false;
            assertTrue(store.tryAccept(ALICE, 2), "a nonce that could not be stored was not accepted");
            assertTrue(store.tryAccept(BOB, 1));
        }
        try (NonceStore store = NonceStore.file(journal())) {
            assertFalse(store.tryAccept(ALICE, 2));
            assertFalse(store.tryAccept(BOB, 1));
        }
        assertJournalIsClean();
    }

    @Test
    void failedSyncRejectsTheNonce() throws Exception {
        FaultyFileChannel.Faults faults = new FaultyFileChannel.Faults();
        try (NonceStore store =
                FileNonceStore.open(journal(), 1000, (p, o) -> new FaultyFileChannel(FileChannel.open(p, o), faults))) {
            faults.failForce = true;
            assertEquals(
                    ErrorKind.UNAVAILABLE,
                    assertThrows(BrizoException.class, () -> store.tryAccept(ALICE, 1))
                            .kind());
            faults.failForce = false;
            assertTrue(store.tryAccept(ALICE, 1));
            assertFalse(store.tryAccept(ALICE, 1));
        }
        assertJournalIsClean();
    }

    @Test
    void failedCompactionDoesNotBlockAccepts() throws Exception {
        NonceStore.file(journal()).close();
        AtomicBoolean failTempFile = new AtomicBoolean(true);
        FileNonceStore.ChannelOpener opener = (p, o) -> {
            if (failTempFile.get() && p.getFileName().toString().endsWith(".tmp")) {
                throw new IOException("simulated: permission denied");
            }
            return FileChannel.open(p, o);
        };
        try (NonceStore store = FileNonceStore.open(journal(), 4, opener)) {
            for (long n = 1; n <= 20; n++) {
                assertTrue(store.tryAccept(ALICE, n));
            }
            assertEquals(21, Files.readAllLines(journal(), UTF_8).size(), "nothing was compacted");
            failTempFile.set(false);
            assertTrue(store.tryAccept(BOB, 1));
            assertEquals(3, Files.readAllLines(journal(), UTF_8).size(), "compacted to one line per address");
        }
        try (NonceStore store = NonceStore.file(journal())) {
            assertFalse(store.tryAccept(ALICE, 20));
            assertFalse(store.tryAccept(BOB, 1));
        }
        assertJournalIsClean();
    }

    @Test
    void closedStoreAcceptsNothing() {
        NonceStore store = NonceStore.file(journal());
        store.close();
        store.close();
        assertEquals(
                ErrorKind.INTERNAL,
                assertThrows(BrizoException.class, () -> store.tryAccept(ALICE, 1))
                        .kind());
    }

    /** Every line after the header is a complete entry with a correct checksum. */
    private void assertJournalIsClean() throws Exception {
        String content = Files.readString(journal(), UTF_8);
        assertTrue(content.startsWith(FileNonceStore.HEADER + "\n"), content);
        assertTrue(content.endsWith("\n"), content);
        List<String> lines = List.of(content.split("\n"));
        for (String line : lines.subList(1, lines.size())) {
            String[] parts = line.split(" ");
            assertEquals(3, parts.length, line);
            assertTrue(parts[0].matches("0x[0-9a-f]{40}"), line);
            Long.parseLong(parts[1]);
            CRC32 crc = new CRC32();
            crc.update((parts[0] + " " + parts[1]).getBytes(UTF_8));
            assertEquals(String.format("%08x", crc.getValue()), parts[2], line);
        }
    }
}
