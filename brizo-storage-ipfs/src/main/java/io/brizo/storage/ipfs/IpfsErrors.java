package io.brizo.storage.ipfs;

import io.brizo.spi.BrizoException;
import io.brizo.spi.ErrorKind;
import java.io.IOException;
import java.io.InterruptedIOException;
import javax.net.ssl.SSLException;

/**
 * Every error this driver reports, in one place so that the wording stays consistent and no
 * message ever names the gateway's host, a CID or a path (they would tell a consumer where the
 * paid-for content is, or the publisher's infrastructure).
 */
final class IpfsErrors {
    /** The message of every verification failure, before and after the first byte. */
    static final String MISMATCH = "content from the IPFS gateway does not match its CID";

    static final String NOT_FOUND = "the IPFS gateway has no content at this asset's location";
    static final String NO_SUCH_PATH = "there is no file at this asset's IPFS path";
    static final String DIRECTORY = "this asset's IPFS location is a directory, not a file";
    static final String BLOCK_MISSING =
            "the IPFS gateway could not provide every block of this asset's file; try again later";

    private IpfsErrors() {}

    static BrizoException mismatch() {
        return new BrizoException(ErrorKind.UPSTREAM_FAILED, MISMATCH, null, false);
    }

    static BrizoException mismatch(String hint) {
        return new BrizoException(ErrorKind.UPSTREAM_FAILED, MISMATCH + " (" + hint + ")", null, false);
    }

    static BrizoException notFound() {
        return BrizoException.notFound(NOT_FOUND);
    }

    static BrizoException noSuchPath() {
        return BrizoException.notFound(NO_SUCH_PATH);
    }

    static BrizoException directory() {
        return BrizoException.notFound(DIRECTORY);
    }

    static BrizoException blockMissing() {
        return new BrizoException(ErrorKind.UPSTREAM_FAILED, BLOCK_MISSING, null, true);
    }

    static BrizoException invalidLocation() {
        return BrizoException.configuration(
                "the storage location of this asset is not a valid ipfs:// URL with a CID; check the asset's metadata");
    }

    static BrizoException unsupported(String what) {
        return new BrizoException(
                ErrorKind.UPSTREAM_FAILED,
                "this asset's IPFS content uses " + what + ", which Brizo cannot verify",
                null,
                false);
    }

    /** Content that verified against its hash but is not a well-formed UnixFS file. */
    static BrizoException malformed(String detail) {
        return new BrizoException(
                ErrorKind.UPSTREAM_FAILED,
                "the content at this asset's IPFS location is not a valid UnixFS file: " + detail,
                null,
                false);
    }

    static BrizoException limit(String detail) {
        return new BrizoException(ErrorKind.UPSTREAM_FAILED, detail, null, false);
    }

    static BrizoException status(int code) {
        if (code == 401 || code == 403 || code == 407) {
            return new BrizoException(
                    ErrorKind.UPSTREAM_FAILED,
                    "the IPFS gateway refused access (HTTP " + code + "); check IPFS_GATEWAY",
                    null,
                    false);
        }
        if (code >= 500 || code == 429 || code == 408) {
            return new BrizoException(
                    ErrorKind.UPSTREAM_FAILED,
                    "the IPFS gateway failed (HTTP " + code + "); try again later",
                    null,
                    true);
        }
        return new BrizoException(ErrorKind.UPSTREAM_FAILED, "the IPFS gateway answered HTTP " + code, null, false);
    }

    static BrizoException redirected() {
        return new BrizoException(
                ErrorKind.UPSTREAM_FAILED,
                "the IPFS gateway redirected to another host, which Brizo does not follow;"
                        + " set IPFS_GATEWAY to the host that serves the content",
                null,
                false);
    }

    static BrizoException transport(IOException e) {
        if (e instanceof RedirectRefusedException) {
            return redirected();
        }
        if (e instanceof TooManyRedirectsException) {
            return new BrizoException(
                    ErrorKind.UPSTREAM_FAILED, "the IPFS gateway redirected too many times", null, false);
        }
        if (e instanceof SSLException) {
            return new BrizoException(
                    ErrorKind.UPSTREAM_FAILED,
                    "the TLS connection to the IPFS gateway failed; check its certificate",
                    null,
                    false);
        }
        if (e instanceof InterruptedIOException) {
            return new BrizoException(
                    ErrorKind.UNAVAILABLE,
                    "the IPFS gateway did not answer in time (IPFS_TIMEOUT); try again later",
                    null,
                    true);
        }
        return new BrizoException(
                ErrorKind.UNAVAILABLE, "the IPFS gateway could not be reached; try again later", null, true);
    }

    /** Thrown inside OkHttp when the gateway keeps redirecting within its origin. */
    static final class TooManyRedirectsException extends IOException {
        private static final long serialVersionUID = 1L;

        TooManyRedirectsException() {
            super("the IPFS gateway redirected too many times");
        }
    }

    /** Thrown inside OkHttp when the gateway redirects away from its own origin. */
    static final class RedirectRefusedException extends IOException {
        private static final long serialVersionUID = 1L;

        RedirectRefusedException() {
            super("the IPFS gateway redirected to another origin");
        }
    }
}
