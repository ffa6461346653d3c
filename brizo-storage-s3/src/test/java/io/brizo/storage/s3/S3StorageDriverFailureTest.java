package io.brizo.storage.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brizo.spi.BrizoException;
import io.brizo.spi.ByteRange;
import io.brizo.spi.ErrorKind;
import io.brizo.spi.Settings;
import io.brizo.spi.StorageDriver;
import io.brizo.spi.StorageObject;
import io.brizo.storage.s3.ScriptedS3Server.Answer;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * How the S3 driver maps the store's failures, against a server on 127.0.0.1 that answers from a
 * script ({@link ScriptedS3Server}): throttling, server errors and retries, bodies cut short,
 * wrong ranges, the wrong region. Refused credentials and missing objects are tested against
 * S3Proxy in {@link S3StorageDriverTest}.
 */
class S3StorageDriverFailureTest {
    private static final URI LOCATION = URI.create("s3://hidden-bucket/hidden/key.bin");

    static ScriptedS3Server server;

    @BeforeAll
    static void start() throws IOException {
        server = ScriptedS3Server.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static StorageDriver driver(int maxAttempts) {
        return new S3StorageDriverFactory()
                .create(Settings.builder()
                        .put(S3StorageDriverFactory.ENDPOINT, server.endpoint().toString())
                        .put(S3StorageDriverFactory.REGION, "us-east-1")
                        .put(S3StorageDriverFactory.ACCESS_KEY, "scripted-id")
                        .put(S3StorageDriverFactory.SECRET_KEY, "scripted-secret")
                        .put(S3StorageDriverFactory.MAX_ATTEMPTS, Integer.toString(maxAttempts))
                        .build())
                .orElseThrow();
    }

    static void assertHidesTheLocation(BrizoException e) {
        for (String s : List.of("hidden-bucket", "hidden/key.bin", "127.0.0.1", "scripted-secret")) {
            assertFalse(e.getMessage().contains(s), "the message '" + e.getMessage() + "' reveals " + s);
        }
    }

    static BrizoException failure(Executable call) {
        BrizoException e = assertThrows(BrizoException.class, call);
        assertHidesTheLocation(e);
        return e;
    }

    @Test
    void throttlingIsUnavailableAndRetryable() {
        try (StorageDriver d = driver(1)) {
            for (Answer answer : List.of(
                    Answer.error(503, "SlowDown", "Please reduce your request rate."),
                    Answer.error(429, "TooManyRequests", "Slow down."))) {
                server.script(answer);
                for (Executable call :
                        List.<Executable>of(() -> d.stat(LOCATION), () -> d.open(LOCATION, ByteRange.all())
                                .close())) {
                    BrizoException e = failure(call);
                    assertEquals(ErrorKind.UNAVAILABLE, e.kind(), answer.status() + ": " + e);
                    assertTrue(e.retryable(), answer.status() + ": " + e);
                    assertEquals(S3Errors.THROTTLED_MESSAGE, e.getMessage());
                }
            }
            // Some S3-compatible stores throttle with 400 and a code, which only a GET carries.
            server.script(Answer.error(400, "RequestLimitExceeded", "Slow down."));
            BrizoException e = failure(() -> d.open(LOCATION, ByteRange.all()).close());
            assertEquals(ErrorKind.UNAVAILABLE, e.kind(), "400 RequestLimitExceeded: " + e);
            assertTrue(e.retryable());
        }
    }

    @Test
    void serverErrorsAreRetriedUpToTheConfiguredAttemptsAndThenRetryable() {
        try (StorageDriver d = driver(3)) {
            server.script(Answer.error(500, "InternalError", "We encountered an internal error in hidden-bucket."));
            BrizoException e = failure(() -> d.open(LOCATION, ByteRange.all()).close());
            assertEquals(ErrorKind.UPSTREAM_FAILED, e.kind());
            assertTrue(e.retryable());
            assertTrue(e.getMessage().contains("HTTP 500 InternalError"), e.getMessage());
            assertEquals(3, server.requests().size(), "S3_MAX_ATTEMPTS=3: " + server.requests());
        }
    }

    @Test
    void throttlingThatEndsWithinTheAttemptsIsInvisible() throws Exception {
        byte[] body = new byte[] {1, 2, 3, 4, 5};
        try (StorageDriver d = driver(3)) {
            server.script(
                    Answer.error(503, "SlowDown", "Please reduce your request rate."),
                    Answer.object(200, body, Map.of()));
            try (StorageObject o = d.open(LOCATION, ByteRange.all())) {
                assertArrayEquals(body, o.stream().readAllBytes());
            }
            assertEquals(2, server.requests().size());
        }
    }

    @Test
    void bodyCutShortFailsTheReadInsteadOfEndingQuietly() throws Exception {
        try (StorageDriver d = driver(1)) {
            server.script(Answer.object(200, new byte[500], Map.of()).declaring(1000));
            try (StorageObject o = d.open(LOCATION, ByteRange.all())) {
                assertEquals(1000, o.slice().length());
                InputStream in = o.stream();
                IOException e = assertThrows(IOException.class, in::readAllBytes);
                assertFalse(String.valueOf(e.getMessage()).contains("127.0.0.1"), e.getMessage());
            }
        }
    }

    @Test
    void wholeObjectWhoseChecksumDoesNotMatchFailsTheRead() throws Exception {
        byte[] body = "the dataset's bytes".getBytes(StandardCharsets.US_ASCII);
        try (StorageDriver d = driver(1)) {
            server.script(Answer.object(200, body, Map.of("x-amz-checksum-crc32", crc32(body))));
            try (StorageObject o = d.open(LOCATION, ByteRange.all())) {
                assertArrayEquals(body, o.stream().readAllBytes(), "the right checksum passes");
            }
            byte[] other = body.clone();
            other[0] ^= 1;
            server.script(Answer.object(200, body, Map.of("x-amz-checksum-crc32", crc32(other))));
            try (StorageObject o = d.open(LOCATION, ByteRange.all())) {
                InputStream in = o.stream();
                assertThrows(IOException.class, in::readAllBytes, "a wrong checksum fails the read");
            }
        }
    }

    /** {@return the CRC32 of {@code bytes} as S3 sends it: 4 bytes big-endian, base64} */
    private static String crc32(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes);
        return Base64.getEncoder()
                .encodeToString(
                        ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    @Test
    void answerForAnotherRangeIsRefused() {
        try (StorageDriver d = driver(1)) {
            server.script(Answer.object(206, new byte[10], Map.of("Content-Range", "bytes 0-9/1000")));
            BrizoException e =
                    failure(() -> d.open(LOCATION, ByteRange.of(100, 109)).close());
            assertEquals(ErrorKind.UPSTREAM_FAILED, e.kind());
            assertEquals("bytes=100-109", server.requests().get(0).range());
        }
    }

    @Test
    void storeThatIgnoresTheRangeStillYieldsTheRequestedBytes() throws Exception {
        byte[] whole = new byte[1000];
        for (int i = 0; i < whole.length; i++) {
            whole[i] = (byte) i;
        }
        try (StorageDriver d = driver(1)) {
            server.script(Answer.object(200, whole, Map.of()));
            try (StorageObject o = d.open(LOCATION, ByteRange.of(300, 309))) {
                assertEquals(new ByteRange.Slice(300, 10, 1000), o.slice());
                byte[] expected = new byte[10];
                System.arraycopy(whole, 300, expected, 0, 10);
                assertArrayEquals(expected, o.stream().readAllBytes());
            }
        }
    }

    @Test
    void bucketInAnotherRegionSaysToSetTheRegion() {
        try (StorageDriver d = driver(1)) {
            server.script(Answer.error(
                    301,
                    "PermanentRedirect",
                    "The bucket you are attempting to access must be addressed using"
                            + " the specified endpoint: hidden-bucket.s3.eu-west-1.amazonaws.com"));
            BrizoException e = failure(() -> d.open(LOCATION, ByteRange.all()).close());
            assertEquals(ErrorKind.UPSTREAM_FAILED, e.kind());
            assertFalse(e.retryable());
            assertEquals(S3Errors.WRONG_REGION_MESSAGE, e.getMessage());
        }
    }

    @Test
    void otherRefusalsNameOnlyTheStatusAndCode() {
        try (StorageDriver d = driver(1)) {
            server.script(Answer.error(400, "InvalidArgument", "Invalid argument for hidden-bucket/hidden/key.bin"));
            BrizoException e = failure(() -> d.open(LOCATION, ByteRange.all()).close());
            assertEquals(ErrorKind.UPSTREAM_FAILED, e.kind());
            assertFalse(e.retryable());
            assertTrue(e.getMessage().contains("HTTP 400 InvalidArgument"), e.getMessage());
        }
    }
}
