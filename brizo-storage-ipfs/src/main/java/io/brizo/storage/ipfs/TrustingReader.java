package io.brizo.storage.ipfs;

import io.brizo.spi.BrizoException;
import io.brizo.spi.ByteRange;
import io.brizo.spi.ContentRange;
import io.brizo.spi.ErrorKind;
import io.brizo.spi.ExactLengthInputStream;
import io.brizo.spi.ObjectInfo;
import io.brizo.spi.StorageObject;
import java.io.IOException;
import java.io.InputStream;
import okhttp3.Response;

/**
 * Trust mode ({@code IPFS_TRUST_GATEWAY=true}): asks the gateway for the file by path, as
 * Brizo's Python predecessor did, and passes on whatever it answers. Nothing is verified, so a
 * faulty or hostile gateway can hand the consumer wrong bytes. Unsafe; off by default.
 */
final class TrustingReader {
    private final GatewayClient client;

    TrustingReader(GatewayClient client) {
        this.client = client;
    }

    ObjectInfo stat(IpfsLocation location) {
        try (Response r = client.getPath(location.root(), location.path(), "0-0")) {
            int code = r.code();
            if (code == 206) {
                ContentRange cr = contentRange(r);
                if (cr == null || cr.first() != 0) {
                    throw upstream("the IPFS gateway answered a request for the first byte inconsistently");
                }
                return ObjectInfo.builder(cr.total()).build();
            }
            if (code == 200) {
                return ObjectInfo.builder(contentLength(r)).build();
            }
            if (code == 416) {
                return ObjectInfo.builder(0).build(); // only an empty file has no first byte
            }
            throw failure(code);
        }
    }

    StorageObject open(IpfsLocation location, ByteRange range) {
        Response r = client.getPath(location.root(), location.path(), range.isAll() ? null : range.toString());
        if (r.code() == 416) {
            r.close();
            // Some gateways (Helia's verified-fetch among them) refuse a range that runs past the
            // end instead of clamping it as RFC 9110 says: ask again for the clamped range.
            ByteRange.Slice slice = range.resolve(stat(location).size());
            ByteRange clamped = ByteRange.of(slice.offset(), slice.lastOffset());
            r = client.getPath(location.root(), location.path(), clamped.toString());
            if (r.code() == 416) {
                r.close();
                throw upstream("the IPFS gateway refused a byte range inside the file");
            }
            return toObject(r, range);
        }
        return toObject(r, range);
    }

    /** {@return the object of a 200 or 206 answer to a request for {@code wanted}} */
    private StorageObject toObject(Response r, ByteRange wanted) {
        try {
            int code = r.code();
            InputStream body = r.body().byteStream();
            if (code == 206) {
                ContentRange cr = contentRange(r);
                if (cr == null) {
                    throw upstream("the IPFS gateway answered a range request without a usable Content-Range");
                }
                ByteRange.Slice expected = wanted.resolve(cr.total());
                if (cr.first() != expected.offset() || cr.last() != expected.lastOffset()) {
                    throw upstream("the IPFS gateway answered with a different byte range than the one asked for");
                }
                return new StorageObject(
                        ObjectInfo.builder(cr.total()).build(), expected, exact(body, expected.length()));
            }
            if (code != 200) {
                throw failure(code);
            }
            long total = contentLength(r);
            ByteRange.Slice slice = wanted.resolve(total);
            body.skipNBytes(slice.offset()); // the gateway ignored the range: drop what precedes it
            return new StorageObject(ObjectInfo.builder(total).build(), slice, exact(body, slice.length()));
        } catch (IOException e) {
            r.close();
            throw IpfsErrors.transport(e);
        } catch (RuntimeException e) {
            r.close();
            throw e;
        }
    }

    private static BrizoException failure(int code) {
        return code == 404 || code == 410 ? IpfsErrors.notFound() : IpfsErrors.status(code);
    }

    private static long contentLength(Response r) {
        String value = r.header("Content-Length");
        try {
            long n = value == null ? -1 : Long.parseLong(value.trim());
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw upstream("the IPFS gateway does not report the file's size");
    }

    /** {@return the satisfied range of a known file size the Content-Range header names, or null} */
    private static ContentRange contentRange(Response r) {
        return ContentRange.parse(r.header("Content-Range"))
                .filter(c -> !c.unsatisfied() && c.total() >= 0)
                .orElse(null);
    }

    /**
     * {@return exactly {@code length} bytes of a response body} Trust mode checks nothing else:
     * an early end is an error, never a short file.
     */
    private static InputStream exact(InputStream body, long length) {
        return ExactLengthInputStream.builder(body, length)
                .describedAs("the IPFS gateway's answer")
                .build();
    }

    private static BrizoException upstream(String message) {
        return new BrizoException(ErrorKind.UPSTREAM_FAILED, message, null, false);
    }
}
