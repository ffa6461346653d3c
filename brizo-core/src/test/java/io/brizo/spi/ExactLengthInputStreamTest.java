package io.brizo.spi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ExactLengthInputStreamTest {
    private static final String HOST = "secret-account.blob.example.net";

    @Test
    void yieldsExactlyTheLengthAndThenEnds() throws IOException {
        InputStream in = new ExactLengthInputStream(new ByteArrayInputStream(new byte[] {1, 2, 3, 4, 5}), 3);
        assertArrayEquals(new byte[] {1, 2, 3}, in.readAllBytes());
        assertEquals(-1, in.read());
    }

    @Test
    void singleByteReadsYieldTheSameBytesAsBulkReads() throws IOException {
        InputStream in = new ExactLengthInputStream(new ByteArrayInputStream(new byte[] {1, (byte) 200, 3}), 2);
        assertEquals(1, in.read());
        assertEquals(200, in.read());
        assertEquals(-1, in.read());
    }

    @Test
    void underlyingStreamEndingEarlyIsAnError() {
        InputStream bulk = new ExactLengthInputStream(new ByteArrayInputStream(new byte[5]), 10);
        EOFException e = assertThrows(EOFException.class, bulk::readAllBytes);
        assertTrue(e.getMessage().contains("5 of 10"), e.getMessage());
        InputStream single = new ExactLengthInputStream(new ByteArrayInputStream(new byte[0]), 1);
        assertThrows(EOFException.class, single::read);
    }

    @Test
    void messagesNameWhatIsReadAsDescribed() {
        InputStream in = ExactLengthInputStream.builder(new ByteArrayInputStream(new byte[2]), 4)
                .describedAs("the Azure blob")
                .build();
        EOFException e = assertThrows(EOFException.class, in::readAllBytes);
        assertEquals("the Azure blob ended after 2 of 4 bytes; it is incomplete", e.getMessage());
    }

    @Test
    void aFailureOfTheUnderlyingStreamIsRedactedAndSaysHowFarTheReadGot() throws IOException {
        InputStream in = ExactLengthInputStream.builder(failingAfter(3, new IOException("reset by " + HOST)), 10)
                .describedAs("the Azure blob")
                .build();
        assertEquals(3, in.readNBytes(3).length);
        IOException e = assertThrows(IOException.class, in::read);
        assertEquals("reading the Azure blob failed after 3 of 10 bytes", e.getMessage());
        assertRedacted(e);
    }

    @Test
    void anUncheckedFailureOfTheUnderlyingStreamBecomesARedactedIoException() {
        InputStream in = ExactLengthInputStream.builder(
                        failingAfter(0, new UncheckedIOException(new IOException("checksum of " + HOST))), 10)
                .build();
        IOException e = assertThrows(IOException.class, in::readAllBytes);
        assertEquals("reading the storage object failed after 0 of 10 bytes", e.getMessage());
        assertRedacted(e);
    }

    @Test
    void aTimeoutOfTheUnderlyingStreamStaysAnInterruptedIoException() {
        InputStream in = new ExactLengthInputStream(failingAfter(1, new SocketTimeoutException("to " + HOST)), 10);
        InterruptedIOException e = assertThrows(InterruptedIOException.class, in::readAllBytes);
        assertTrue(e.getMessage().contains("1 of 10"), e.getMessage());
        assertRedacted(e);
    }

    @Test
    void afterAFailureEveryLaterReadThrowsTheSameException() {
        InputStream in = new ExactLengthInputStream(new ByteArrayInputStream(new byte[5]), 10);
        EOFException first = assertThrows(EOFException.class, in::readAllBytes);
        assertSame(first, assertThrows(EOFException.class, in::read));
        assertSame(first, assertThrows(EOFException.class, () -> in.skip(1)));
        assertSame(first, assertThrows(EOFException.class, in::available));
    }

    @Test
    void readingAfterCloseAlwaysThrows() throws IOException {
        InputStream in = new ExactLengthInputStream(new ByteArrayInputStream(new byte[10]), 10);
        in.close();
        assertThrows(IOException.class, in::read);
        assertThrows(IOException.class, () -> in.read(new byte[4]));
        assertThrows(IOException.class, () -> in.skip(1));
        assertThrows(IOException.class, in::available);
        in.close();
    }

    @Test
    void closeClosesTheUnderlyingStreamOnce() throws IOException {
        AtomicInteger closes = new AtomicInteger();
        InputStream source = new ByteArrayInputStream(new byte[1]) {
            @Override
            public void close() {
                closes.incrementAndGet();
            }
        };
        InputStream in = new ExactLengthInputStream(source, 1);
        in.close();
        in.close();
        assertEquals(1, closes.get());
    }

    @Test
    void skipStopsAtTheLength() throws IOException {
        InputStream in = new ExactLengthInputStream(new ByteArrayInputStream(new byte[10]), 4);
        assertEquals(4, in.skip(100));
        assertEquals(-1, in.read());
    }

    @Test
    void skipPastTheUnderlyingEndIsAnError() {
        InputStream in = new ExactLengthInputStream(new ByteArrayInputStream(new byte[3]), 10);
        assertThrows(EOFException.class, () -> in.skipNBytes(5));
    }

    @Test
    void zeroLengthReadReturnsZero() throws IOException {
        InputStream in = new ExactLengthInputStream(new ByteArrayInputStream(new byte[1]), 1);
        assertEquals(0, in.read(new byte[4], 0, 0));
    }

    @Test
    void availableIsCappedAtWhatRemainsAndIsZeroWhenTheUnderlyingStreamCannotSay() throws IOException {
        InputStream in = new ExactLengthInputStream(new ByteArrayInputStream(new byte[10]), 4);
        assertEquals(4, in.available());
        InputStream failing = new InputStream() {
            @Override
            public int read() {
                return 0;
            }

            @Override
            public int available() throws IOException {
                throw new IOException("no answer from " + HOST);
            }
        };
        assertEquals(0, new ExactLengthInputStream(failing, 4).available());
    }

    @Test
    void theEndCheckRunsOnceInTheReadThatYieldsTheLastByte() throws IOException {
        AtomicInteger checks = new AtomicInteger();
        InputStream in = ExactLengthInputStream.builder(new ByteArrayInputStream(new byte[10]), 4)
                .onEnd(checks::incrementAndGet)
                .build();
        assertEquals(3, in.read(new byte[3]));
        assertEquals(0, checks.get(), "not before the last byte");
        assertEquals(0, in.read());
        assertEquals(1, checks.get(), "in the read of the last byte");
        assertEquals(-1, in.read());
        assertEquals(-1, in.read(new byte[3]));
        assertEquals(1, checks.get(), "only once");
    }

    @Test
    void theEndCheckOfAnEmptyStreamRunsInTheFirstRead() throws IOException {
        AtomicInteger checks = new AtomicInteger();
        InputStream in = ExactLengthInputStream.builder(new ByteArrayInputStream(new byte[0]), 0)
                .onEnd(checks::incrementAndGet)
                .build();
        assertEquals(-1, in.read());
        assertEquals(1, checks.get());
    }

    @Test
    void aFailingEndCheckFailsTheLastReadAndEveryLaterOneWithItsOwnException() {
        IOException tooLong = new IOException("the store sent more than announced");
        InputStream in = ExactLengthInputStream.builder(new ByteArrayInputStream(new byte[10]), 4)
                .onEnd(() -> {
                    throw tooLong;
                })
                .build();
        assertSame(tooLong, assertThrows(IOException.class, in::readAllBytes));
        assertSame(tooLong, assertThrows(IOException.class, in::read));
    }

    @Test
    void anUncheckedFailureOfTheEndCheckBecomesARedactedIoException() {
        InputStream in = ExactLengthInputStream.builder(new ByteArrayInputStream(new byte[4]), 4)
                .describedAs("the S3 object")
                .onEnd(() -> {
                    throw new IllegalStateException("checksum mismatch for " + HOST);
                })
                .build();
        IOException e = assertThrows(IOException.class, in::readAllBytes);
        assertEquals("reading the S3 object failed after 4 of 4 bytes", e.getMessage());
        assertRedacted(e);
    }

    @Test
    void closingBeforeTheLastByteRunsTheEarlyCloseActionBeforeClosingTheUnderlyingStream() throws IOException {
        List<String> steps = new ArrayList<>();
        InputStream in = ExactLengthInputStream.builder(recordingClose(new byte[10], steps), 10)
                .onEarlyClose(() -> steps.add("abort"))
                .onClose(() -> steps.add("release"))
                .build();
        in.readNBytes(9);
        in.close();
        assertEquals(List.of("abort", "close", "release"), steps);
    }

    @Test
    void closingAfterTheLastByteDoesNotRunTheEarlyCloseAction() throws IOException {
        List<String> steps = new ArrayList<>();
        InputStream in = ExactLengthInputStream.builder(recordingClose(new byte[10], steps), 4)
                .onEarlyClose(() -> steps.add("abort"))
                .onClose(() -> steps.add("release"))
                .build();
        in.readAllBytes();
        in.close();
        assertEquals(List.of("close", "release"), steps);
    }

    @Test
    void closingAfterAFailedEndCheckRunsTheEarlyCloseAction() throws IOException {
        List<String> steps = new ArrayList<>();
        InputStream in = ExactLengthInputStream.builder(recordingClose(new byte[4], steps), 4)
                .onEnd(() -> {
                    throw new IOException("checksum mismatch");
                })
                .onEarlyClose(() -> steps.add("abort"))
                .build();
        assertThrows(IOException.class, in::readAllBytes);
        in.close();
        assertEquals(List.of("abort", "close"), steps);
    }

    @Test
    void closingAnEmptyStreamWhoseEndCheckNeverRanRunsTheEarlyCloseAction() throws IOException {
        List<String> steps = new ArrayList<>();
        InputStream in = ExactLengthInputStream.builder(recordingClose(new byte[0], steps), 0)
                .onEnd(() -> steps.add("check"))
                .onEarlyClose(() -> steps.add("abort"))
                .build();
        in.close();
        assertEquals(List.of("abort", "close"), steps);
    }

    @Test
    void theReleaseActionRunsOnceAfterTheUnderlyingStreamIsClosedWhetherReadToTheEndOrNot() throws IOException {
        for (int read : new int[] {0, 4}) {
            List<String> steps = new ArrayList<>();
            InputStream in = ExactLengthInputStream.builder(recordingClose(new byte[4], steps), 4)
                    .onClose(() -> steps.add("release"))
                    .build();
            in.readNBytes(read);
            in.close();
            in.close();
            assertEquals(List.of("close", "release"), steps, "after reading " + read);
        }
    }

    @Test
    void failuresWhileClosingAreNotThrownAndDoNotStopTheLaterSteps() throws IOException {
        List<String> steps = new ArrayList<>();
        InputStream source = new ByteArrayInputStream(new byte[4]) {
            @Override
            public void close() throws IOException {
                steps.add("close");
                throw new IOException("connection to " + HOST + " reset");
            }
        };
        InputStream in = ExactLengthInputStream.builder(source, 4)
                .onEarlyClose(() -> {
                    steps.add("abort");
                    throw new IllegalStateException("abort failed");
                })
                .onClose(() -> {
                    steps.add("release");
                    throw new IOException("release failed");
                })
                .build();
        in.close();
        assertEquals(List.of("abort", "close", "release"), steps);
    }

    @Test
    void theConstructorBehavesAsABuilderWithoutSettings() {
        EOFException fromConstructor = assertThrows(
                EOFException.class, new ExactLengthInputStream(new ByteArrayInputStream(new byte[1]), 2)::readAllBytes);
        EOFException fromBuilder = assertThrows(
                EOFException.class,
                ExactLengthInputStream.builder(new ByteArrayInputStream(new byte[1]), 2)
                        .build()::readAllBytes);
        assertEquals(fromConstructor.getMessage(), fromBuilder.getMessage());
    }

    @Test
    void aNegativeLengthOrABlankDescriptionIsRefused() {
        InputStream empty = new ByteArrayInputStream(new byte[0]);
        assertThrows(IllegalArgumentException.class, () -> new ExactLengthInputStream(empty, -1));
        assertThrows(IllegalArgumentException.class, () -> ExactLengthInputStream.builder(empty, -1));
        assertThrows(IllegalArgumentException.class, () -> ExactLengthInputStream.builder(empty, 0)
                .describedAs(" "));
    }

    /** A stream of {@code good} zero bytes that then throws {@code failure}. */
    private static InputStream failingAfter(int good, Exception failure) {
        return new InputStream() {
            private int left = good;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0];
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (left == 0) {
                    if (failure instanceof IOException io) {
                        throw io;
                    }
                    throw (RuntimeException) failure;
                }
                int n = Math.min(len, left);
                left -= n;
                return n;
            }
        };
    }

    private static InputStream recordingClose(byte[] content, List<String> steps) {
        return new ByteArrayInputStream(content) {
            @Override
            public void close() {
                steps.add("close");
            }
        };
    }

    private static void assertRedacted(IOException e) {
        Throwable cause = e.getCause();
        assertInstanceOf(Exception.class, cause);
        for (Throwable t = e; t != null; t = t.getCause()) {
            assertFalse(String.valueOf(t.getMessage()).contains(HOST), "reveals the host: " + t);
        }
        assertTrue(cause.getMessage().contains("message withheld"), cause.getMessage());
    }
}
