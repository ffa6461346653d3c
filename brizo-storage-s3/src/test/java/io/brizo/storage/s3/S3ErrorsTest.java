package io.brizo.storage.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brizo.spi.BrizoException;
import io.brizo.spi.ErrorKind;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * The client-side failures of the SDK that no server can cause on demand in a test: no
 * credentials anywhere in the default chain, and the SDK's own messages that name a host. The
 * exceptions are the SDK's real types, built with its builders.
 */
class S3ErrorsTest {
    @Test
    void noCredentialsAnywhereIsAConfigurationErrorSayingWhatToSet() {
        SdkClientException sdk = SdkClientException.builder()
                .message("Unable to load credentials from any of the providers in the chain"
                        + " AwsCredentialsProviderChain(credentialsProviders=[...])")
                .build();
        BrizoException e = S3Errors.map(sdk, "reading");
        assertEquals(ErrorKind.CONFIGURATION, e.kind());
        assertFalse(e.retryable());
        assertTrue(e.getMessage().contains("AWS_ACCESS_KEY"), e.getMessage());
    }

    @Test
    void connectionFailuresAreUnavailableAndNameNoHost() {
        SdkClientException sdk = SdkClientException.builder()
                .message("Unable to execute HTTP request: Connect to store.internal.example:9000 failed")
                .cause(new ConnectException("Connect to store.internal.example:9000 failed: Connection refused"))
                .build();
        BrizoException e = S3Errors.map(sdk, "reading");
        assertEquals(ErrorKind.UNAVAILABLE, e.kind());
        assertTrue(e.retryable());
        assertHidden(e, "store.internal.example");
    }

    @Test
    void readTimeoutsAreUnavailableAndRetryable() {
        SdkClientException sdk = SdkClientException.builder()
                .message("Unable to execute HTTP request: Read timed out")
                .cause(new SocketTimeoutException("Read timed out"))
                .build();
        BrizoException e = S3Errors.map(sdk, "reading");
        assertEquals(ErrorKind.UNAVAILABLE, e.kind());
        assertTrue(e.retryable());
        assertTrue(e.getMessage().contains("in time"), e.getMessage());
    }

    private static void assertHidden(Throwable e, String secret) {
        StringWriter trace = new StringWriter();
        e.printStackTrace(new PrintWriter(trace));
        assertFalse(trace.toString().contains(secret), trace.toString());
    }
}
