package io.brizo.storage.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/**
 * How the driver turns the SDK's response body into the object's stream: checked at its end,
 * aborted rather than drained when closed early. The SDK's body is a double here, which records
 * aborts, closes and how far it was read.
 */
class S3ObjectBodyTest {
    private final List<String> events = new ArrayList<>();

    @Test
    void closingBeforeTheEndAbortsTheResponseInsteadOfDrainingIt() throws IOException {
        RecordingBody source = new RecordingBody(new byte[1000]);
        InputStream in = S3StorageDriver.stream(response(source), 1000, true);
        assertEquals(10, in.readNBytes(10).length);
        in.close();
        assertEquals("abort", events.get(0), "aborted first: " + events);
        assertEquals(10, source.read, "nothing more is read from the store");
    }

    @Test
    void readingToTheEndChecksThatTheBodyEndsThereAndClosesWithoutAborting() throws IOException {
        RecordingBody source = new RecordingBody(new byte[] {1, 2, 3});
        InputStream in = S3StorageDriver.stream(response(source), 3, true);
        assertArrayEquals(new byte[] {1, 2, 3}, in.readAllBytes());
        assertTrue(source.sawEnd, "the body was read to its end, where the SDK checks the checksum");
        in.close();
        assertFalse(events.contains("abort"), events.toString());
        assertTrue(events.contains("close"), events.toString());
    }

    @Test
    void aBodyLongerThanAnnouncedFailsTheLastReadAndIsAbortedOnClose() throws IOException {
        RecordingBody source = new RecordingBody(new byte[5]);
        InputStream in = S3StorageDriver.stream(response(source), 3, true);
        IOException e = assertThrows(IOException.class, in::readAllBytes);
        assertTrue(e.getMessage().contains("more than the 3 bytes"), e.getMessage());
        in.close();
        assertEquals("abort", events.get(0), events.toString());
    }

    @Test
    void aChecksumFailureOfTheSdkAtTheEndIsARedactedIoException() {
        RecordingBody source = new RecordingBody(new byte[3]) {
            @Override
            public synchronized int read() {
                throw SdkClientException.create("checksum mismatch for bucket/secret-key");
            }
        };
        InputStream in = S3StorageDriver.stream(response(source), 3, true);
        IOException e = assertThrows(IOException.class, in::readAllBytes);
        assertEquals("reading the S3 object failed after 3 of 3 bytes", e.getMessage());
        assertFalse(
                String.valueOf(e.getCause().getMessage()).contains("secret-key"),
                e.getCause().getMessage());
    }

    @Test
    void aBodyThatGoesOnPastTheRangeIsAbortedAsSoonAsTheRangeIsRead() throws IOException {
        RecordingBody source = new RecordingBody(new byte[1000]);
        InputStream in = S3StorageDriver.stream(response(source), 10, false);
        assertEquals(10, in.readAllBytes().length);
        assertEquals("abort", events.get(0), events.toString());
        assertEquals(10, source.read, "the rest is not read");
        in.close();
    }

    private ResponseInputStream<GetObjectResponse> response(InputStream body) {
        return new ResponseInputStream<>(
                GetObjectResponse.builder().build(), AbortableInputStream.create(body, () -> events.add("abort")));
    }

    /** A body that counts the bytes read from it and records its close. */
    private class RecordingBody extends ByteArrayInputStream {
        int read;
        boolean sawEnd;

        RecordingBody(byte[] content) {
            super(content);
        }

        @Override
        public synchronized int read() {
            int b = super.read();
            count(b < 0 ? -1 : 1);
            return b;
        }

        @Override
        public synchronized int read(byte[] b, int off, int len) {
            return count(super.read(b, off, len));
        }

        private int count(int n) {
            if (n < 0) {
                sawEnd = true;
            } else {
                read += n;
            }
            return n;
        }

        @Override
        public void close() {
            events.add("close");
        }
    }
}
