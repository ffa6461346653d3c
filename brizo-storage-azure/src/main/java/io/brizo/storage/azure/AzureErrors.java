package io.brizo.storage.azure;

import com.azure.core.exception.ClientAuthenticationException;
import com.azure.storage.blob.models.BlobStorageException;
import io.brizo.spi.BrizoException;
import io.brizo.spi.ErrorKind;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.http.HttpTimeoutException;
import java.util.Locale;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns Azure's answers and the SDK's exceptions into {@link BrizoException}s, in one place for
 * every operation. Messages name the failure and the setting to check, never the account's host,
 * a container, a blob name or a credential; the SDK's own exceptions (whose messages may carry
 * URLs) are logged at DEBUG only and attached as redacted causes.
 */
final class AzureErrors {
    private static final Logger LOG = LoggerFactory.getLogger(AzureErrors.class);
    // Azure's error codes are identifiers such as BlobNotFound; anything else is not shown.
    private static final Pattern ERROR_CODE = Pattern.compile("[A-Za-z0-9]{1,64}");

    static final String BLOB_NOT_FOUND = "the Azure blob of this asset does not exist";
    static final String CONTAINER_NOT_FOUND = "the Azure container of this asset does not exist";

    /** What the driver was doing, for messages. */
    enum Operation {
        READ("reading"),
        WRITE("writing"),
        DELETE("deleting");

        private final String verb;

        Operation(String verb) {
            this.verb = verb;
        }
    }

    private final AzureConfig.CredentialKind credential;

    AzureErrors(AzureConfig.CredentialKind credential) {
        this.credential = credential;
    }

    /**
     * {@return the error for an answer of Azure}
     *
     * @param status the HTTP status
     * @param errorCode the {@code x-ms-error-code} header, or null
     * @param op what was being done
     */
    BrizoException forStatus(int status, String errorCode, Operation op) {
        String code = errorCode != null && ERROR_CODE.matcher(errorCode).matches() ? errorCode : null;
        String lower = code == null ? "" : code.toLowerCase(Locale.ROOT);
        if (status == 404) {
            return BrizoException.notFound(lower.equals("containernotfound") ? CONTAINER_NOT_FOUND : BLOB_NOT_FOUND);
        }
        if (status == 416) {
            return new BrizoException(ErrorKind.RANGE_NOT_SATISFIABLE, "the requested range is outside the blob");
        }
        if (status == 401
                || (status == 403
                        && (code == null
                                || lower.equals("authenticationfailed")
                                || lower.equals("invalidauthenticationinfo")
                                || lower.equals("noauthenticationinformation")))) {
            // Without an error code (a HEAD answer) a 403 is almost always a bad signature.
            return new BrizoException(
                    ErrorKind.UPSTREAM_FAILED,
                    "Azure refused the credentials for this account; check " + credential.setting(),
                    null,
                    false);
        }
        if (status == 403 && lower.equals("authorizationfailure")) {
            // Azure's answer to network rules or disabled key access, and Azurite's to a bad
            // signature.
            return new BrizoException(
                    ErrorKind.UPSTREAM_FAILED,
                    "Azure refused the credentials for this account (AuthorizationFailure); check "
                            + credential.setting() + " and the account's network rules",
                    null,
                    false);
        }
        if (status == 403) {
            return new BrizoException(
                    ErrorKind.UPSTREAM_FAILED,
                    "Azure refused " + op.verb + " this blob with the configured credentials (" + code
                            + "); check that " + credential.setting() + " allows it",
                    null,
                    false);
        }
        if (status == 429 || status == 503 || lower.equals("serverbusy")) {
            return new BrizoException(
                    ErrorKind.UNAVAILABLE,
                    "Azure Blob Storage is busy (HTTP " + status + "); try again later",
                    null,
                    true);
        }
        if (status >= 500 || status == 408) {
            return new BrizoException(
                    ErrorKind.UPSTREAM_FAILED,
                    "Azure Blob Storage failed (HTTP " + status + suffix(code) + "); try again later",
                    null,
                    true);
        }
        if (status == 409 || status == 412) {
            return new BrizoException(
                    ErrorKind.CONFLICT,
                    "the Azure blob changed or is locked (HTTP " + status + suffix(code) + "); try again",
                    null,
                    true);
        }
        if (status == 400
                && (lower.equals("invalidresourcename")
                        || lower.equals("invaliduri")
                        || lower.equals("outofrangeinput"))) {
            return BrizoException.configuration("the storage location of this asset is not a valid Azure container"
                    + " and blob name; check the asset's metadata");
        }
        return new BrizoException(
                ErrorKind.UPSTREAM_FAILED, "Azure Blob Storage answered HTTP " + status + suffix(code), null, false);
    }

    /** {@return the error for an exception of the SDK or the transport} */
    BrizoException forException(RuntimeException e, Operation op) {
        if (e instanceof BrizoException b) {
            return b;
        }
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof BlobStorageException s) {
                LOG.debug("Azure answered HTTP {} ({}) while {}", s.getStatusCode(), s.getErrorCode(), op.verb, e);
                return forStatus(
                        s.getStatusCode(),
                        s.getErrorCode() == null ? null : s.getErrorCode().toString(),
                        op);
            }
        }
        return unreachable(e, op);
    }

    /** {@return the error for a failure to talk to Azure at all} */
    BrizoException unreachable(Throwable e, Operation op) {
        if (tokenRefused(e)) {
            // azure-identity's messages carry the authority's URL and the tenant: DEBUG only.
            LOG.debug("the identity platform gave no token while {} an Azure blob", op.verb, e);
            return new BrizoException(
                    ErrorKind.UPSTREAM_FAILED,
                    "the identity platform gave the Azure service principal no token; check "
                            + AzureBlobStorageDriverFactory.CLIENT_ID + ", "
                            + AzureBlobStorageDriverFactory.CLIENT_SECRET
                            + " and " + AzureBlobStorageDriverFactory.TENANT_ID + " (and "
                            + AzureBlobStorageDriverFactory.AUTHORITY_HOST + " if set)",
                    BrizoException.redactedCause(e),
                    false);
        }
        LOG.debug("{} an Azure blob failed", op.verb, e);
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof InterruptedException) {
                Thread.currentThread().interrupt();
                return new BrizoException(
                        ErrorKind.UNAVAILABLE,
                        "interrupted while talking to Azure",
                        BrizoException.redactedCause(e),
                        true);
            }
            if (t instanceof HttpTimeoutException
                    || t instanceof InterruptedIOException
                    || t instanceof TimeoutException) {
                return new BrizoException(
                        ErrorKind.UNAVAILABLE,
                        "Azure Blob Storage did not answer in time; try again later",
                        BrizoException.redactedCause(e),
                        true);
            }
            if (t instanceof IOException) {
                return new BrizoException(
                        ErrorKind.UNAVAILABLE,
                        "Azure Blob Storage could not be reached; try again later",
                        BrizoException.redactedCause(e),
                        true);
            }
        }
        return new BrizoException(
                ErrorKind.UPSTREAM_FAILED,
                op.verb + " an Azure blob failed (" + e.getClass().getSimpleName() + ")",
                BrizoException.redactedCause(e),
                false);
    }

    /** {@return whether azure-identity got an answer from the identity platform, but no token} */
    private static boolean tokenRefused(Throwable e) {
        boolean refused = false;
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof IOException) {
                // The identity platform could not be reached: that is no refusal.
                return false;
            }
            // azure-identity's async path wraps the platform's refusal in ClientAuthenticationException;
            // its sync path hands on MSAL's own MsalServiceException (in an ExecutionException), a
            // class of msal4j, which is azure-identity's to bring: recognised by name.
            refused |= t instanceof ClientAuthenticationException
                    || t.getClass().getName().equals("com.microsoft.aad.msal4j.MsalServiceException");
        }
        return refused;
    }

    private static String suffix(String code) {
        return code == null ? "" : ", " + code;
    }
}
