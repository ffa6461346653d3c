package io.brizo.storage.s3;

import io.brizo.spi.BrizoException;
import io.brizo.spi.ErrorKind;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.util.Set;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.exception.SdkServiceException;

/**
 * Turns the SDK's exceptions into {@link BrizoException}s, in one place.
 *
 * <p>No message names the bucket, the key, the endpoint or a credential: the SDK's own messages
 * can (a connection failure names the host), so they are logged at DEBUG only and attached as a
 * {@link io.brizo.spi.BrizoException#redactedCause}. What the store answered is summed up by its HTTP status and its error
 * code (such as {@code AccessDenied}), which name no location.
 */
final class S3Errors {
    private static final Logger LOG = LoggerFactory.getLogger(S3Errors.class);

    static final String NOT_FOUND_MESSAGE = "the storage service has no object at this asset's location";
    static final String NO_BUCKET_MESSAGE = "the bucket of this storage location does not exist";
    static final String REFUSED_MESSAGE = "the storage service refused the publisher's S3 credentials or permissions;"
            + " check AWS_ACCESS_KEY and AWS_SECRET_KEY (or the AWS default credential chain) and the bucket's policy";
    static final String NO_CREDENTIALS_MESSAGE = "no S3 credentials were found: set AWS_ACCESS_KEY and AWS_SECRET_KEY,"
            + " or configure the AWS default credential chain (environment, profile, container or instance role)";
    static final String WRONG_REGION_MESSAGE = "the bucket of this storage location is in another region than the"
            + " publisher's S3 client; set AWS_REGION to the bucket's region";
    static final String THROTTLED_MESSAGE = "the storage service is throttling requests; try again later";

    /** Error codes S3 and S3-compatible stores use for refused credentials or permissions. */
    private static final Set<String> REFUSED_CODES = Set.of(
            "AccessDenied",
            "AllAccessDisabled",
            "InvalidAccessKeyId",
            "SignatureDoesNotMatch",
            "InvalidToken",
            "ExpiredToken",
            "TokenRefreshRequired",
            "AccountProblem",
            "InvalidSecurity");

    /** Error codes of a request signed for the wrong region. */
    private static final Set<String> WRONG_REGION_CODES =
            Set.of("PermanentRedirect", "AuthorizationHeaderMalformed", "IllegalLocationConstraintException");

    /** Throttling codes; S3 answers {@code 503 SlowDown}, compatible stores sometimes 429 or 400. */
    private static final Set<String> THROTTLING_CODES =
            Set.of("SlowDown", "Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequests");

    /** What an error code must look like to be shown: a word, never free text. */
    private static final Pattern SAFE_CODE = Pattern.compile("[A-Za-z][A-Za-z0-9.]{0,63}");

    private S3Errors() {}

    /**
     * {@return the Brizo error for an SDK failure of an operation on an object}
     *
     * @param operation what was being done, for messages and DEBUG logs: "reading", "writing"...
     */
    static BrizoException map(SdkException e, String operation) {
        LOG.debug("S3 {} failed", operation, e);
        if (e instanceof SdkServiceException s) {
            return service(s, operation);
        }
        if (isMissingCredentials(e)) {
            return new BrizoException(
                    ErrorKind.CONFIGURATION, NO_CREDENTIALS_MESSAGE, BrizoException.redactedCause(e), false);
        }
        if (e instanceof ApiCallTimeoutException || e instanceof ApiCallAttemptTimeoutException) {
            return new BrizoException(
                    ErrorKind.UNAVAILABLE,
                    "the storage service did not answer in time; try again later",
                    BrizoException.redactedCause(e),
                    true);
        }
        if (e instanceof AbortedException) {
            return new BrizoException(
                    ErrorKind.UNAVAILABLE,
                    operation + " the object was interrupted; try again",
                    BrizoException.redactedCause(e),
                    true);
        }
        Throwable io = ioCause(e);
        if (io instanceof SSLException) {
            return new BrizoException(
                    ErrorKind.UPSTREAM_FAILED,
                    "the TLS connection to the storage service failed; check its certificate and S3_ENDPOINT",
                    BrizoException.redactedCause(e),
                    false);
        }
        if (io instanceof InterruptedIOException) {
            return new BrizoException(
                    ErrorKind.UNAVAILABLE,
                    "the storage service did not answer in time; try again later",
                    BrizoException.redactedCause(e),
                    true);
        }
        if (io instanceof UnknownHostException
                || io instanceof ConnectException
                || io instanceof NoRouteToHostException) {
            return new BrizoException(
                    ErrorKind.UNAVAILABLE,
                    "the storage service could not be reached; try again later, or check S3_ENDPOINT and AWS_REGION",
                    BrizoException.redactedCause(e),
                    true);
        }
        if (io != null) {
            return new BrizoException(
                    ErrorKind.UPSTREAM_FAILED,
                    operation + " the object failed on the way to the storage service; try again",
                    BrizoException.redactedCause(e),
                    true);
        }
        // Anything else is on the client's side (a checksum mismatch, an unexpected answer); it
        // might pass on another attempt, so say so.
        return new BrizoException(
                ErrorKind.UPSTREAM_FAILED,
                operation + " the object failed in the S3 client ("
                        + e.getClass().getSimpleName() + ")",
                BrizoException.redactedCause(e),
                e.retryable());
    }

    private static BrizoException service(SdkServiceException s, String operation) {
        int status = s.statusCode();
        // Never null, so the immutable sets below can be asked (they refuse null).
        String code = errorCode(s);
        if (status == 404 || "NoSuchKey".equals(code) || "NoSuchBucket".equals(code)) {
            return BrizoException.notFound("NoSuchBucket".equals(code) ? NO_BUCKET_MESSAGE : NOT_FOUND_MESSAGE);
        }
        if (status == 416 || "InvalidRange".equals(code)) {
            return new BrizoException(
                    ErrorKind.RANGE_NOT_SATISFIABLE,
                    "the requested range is outside the object",
                    BrizoException.redactedCause(s));
        }
        if (status == 301 || WRONG_REGION_CODES.contains(code)) {
            return new BrizoException(
                    ErrorKind.UPSTREAM_FAILED, WRONG_REGION_MESSAGE, BrizoException.redactedCause(s), false);
        }
        if (status == 401 || status == 403 || REFUSED_CODES.contains(code)) {
            return new BrizoException(
                    ErrorKind.UPSTREAM_FAILED, REFUSED_MESSAGE, BrizoException.redactedCause(s), false);
        }
        if (status == 429 || status == 503 || THROTTLING_CODES.contains(code) || s.isThrottlingException()) {
            return new BrizoException(ErrorKind.UNAVAILABLE, THROTTLED_MESSAGE, BrizoException.redactedCause(s), true);
        }
        String answer = "HTTP " + status + (code.isEmpty() ? "" : " " + code);
        if (status >= 500) {
            return new BrizoException(
                    ErrorKind.UPSTREAM_FAILED,
                    "the storage service failed (" + answer + ") " + operation + " the object; try again later",
                    BrizoException.redactedCause(s),
                    true);
        }
        return new BrizoException(
                ErrorKind.UPSTREAM_FAILED,
                "the storage service refused " + operation + " the object (" + answer + ")",
                BrizoException.redactedCause(s),
                false);
    }

    /** {@return the store's error code if it is a plain word, else the empty string} */
    private static String errorCode(SdkServiceException s) {
        if (s instanceof AwsServiceException a && a.awsErrorDetails() != null) {
            String code = a.awsErrorDetails().errorCode();
            if (code != null && SAFE_CODE.matcher(code).matches()) {
                return code;
            }
        }
        return "";
    }

    /**
     * {@return whether the credential chain found nothing} The SDK has no type for this, only its
     * message, which names the providers it tried and no secret.
     */
    private static boolean isMissingCredentials(SdkException e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SdkClientException
                    && t.getMessage() != null
                    && t.getMessage().startsWith("Unable to load credentials")) {
                return true;
            }
        }
        return false;
    }

    private static Throwable ioCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof IOException) {
                return t;
            }
        }
        return null;
    }
}
